/**
 * `npm run bench`: every benchmark, one table per part, a summary, and
 * bench/results/bench.json (plus one JSON file per part).
 *
 *   npm run bench                      every part with the defaults (< 15 min)
 *   npm run bench -- workflow          one part: workflow | latency | burst | cold-start | policy
 *   npm run bench -- burst --burst 1000 --runs 50 --policies 100000 --load-runs 5
 *
 * Exit 0 when every part ran and every check held, 1 when a check failed
 * (e.g. the burst changed a different number of resources than it exposed),
 * 2 when a part could not run.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { printBundlesReport, runBundlesBenchmark, BUNDLE_TARGET_BYTES, type BundlesReport } from './bundles';
import { runPolicyBenchmark, type PolicyBenchmarkResult } from './policy-analyzer';
import { out, table, writeResult } from './report';
import type { BurstReport } from './burst';
import type { LatencyReport, WorkflowCostReport } from './workflow-cost';

export const PARTS = ['workflow', 'latency', 'burst', 'cold-start', 'policy'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `usage: npm run bench -- [${PARTS.join('|')} ...] [--runs N] [--burst N] [--policies N] [--load-runs N]
  workflow    states, Lambda invocations and AWS calls per path (auto, approve, escalate, ignore, reject)
  latency     time to the corrective write and to RESOLVED, median and p95 over --runs executions (default 50)
  burst       --burst findings (default 200) started at once: closed per second, peak memory, resources changed
  cold-start  bundle size and module-load time per function (median of --load-runs fresh processes, default 5)
  policy      policy -> verdict per second on the shared corpus (--policies, default 100000)`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number, not "${value}"`);
  return n;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface Results {
  measuredAt: string;
  node: string;
  /** The machine: figures on the local stack move with its load (other work on it slows moto and the host). */
  machine: { cpus: number; loadAverageAtStart: number[]; loadAverageAtEnd?: number[] };
  options: { runs: number; burst: number; policies: number; loadRuns: number };
  workflow?: WorkflowCostReport;
  latency?: LatencyReport;
  burst?: BurstReport;
  coldStart?: BundlesReport;
  policy?: PolicyBenchmarkResult;
  checks: { name: string; ok: boolean; detail: string }[];
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { runs: { type: 'string' }, burst: { type: 'string' }, policies: { type: 'string' }, 'load-runs': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const unknown = positionals.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) throw new UsageError(`unknown part ${unknown.map((u) => `"${u}"`).join(', ')}`);
  const parts = new Set<Part>(positionals.length ? (positionals as Part[]) : PARTS);
  const options = {
    runs: positiveInt('runs', values.runs ?? process.env.BENCH_RUNS, 50),
    burst: positiveInt('burst', values.burst ?? process.env.BENCH_BURST, 200),
    policies: positiveInt('policies', values.policies ?? process.env.BENCH_POLICIES, 100_000),
    loadRuns: positiveInt('load-runs', values['load-runs'] ?? process.env.BENCH_LOAD_RUNS, 5),
  };
  const results: Results = { measuredAt: new Date().toISOString(), node: process.version, machine: { cpus: cpus().length, loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))) }, options, checks: [] };
  const check = (name: string, ok: boolean, detail: string): void => {
    results.checks.push({ name, ok, detail });
  };
  const begun = Date.now();

  if (parts.has('workflow') || parts.has('latency') || parts.has('burst')) {
    // The local stack's parts: the recorder wraps the hosted handlers before any stack starts
    // (and imports them: the handlers' logger reads its level then, as the local stack would set it).
    process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
    const { CallRecorder } = await import('./calls');
    const { startLocalStack } = await import('../local/stack');
    const recorder = new CallRecorder();
    // One stack for every part that needs one: the handlers keep their Slack client and secret per
    // container (as on Lambda), so a second stack in this process would leave them talking to the first.
    const stack = await startLocalStack({ rescanWaitSeconds: 0 });
    try {
      if (parts.has('workflow')) {
        const { printWorkflowCost, runWorkflowCost } = await import('./workflow-cost');
        out('\n== workflow cost per path');
        const report = await runWorkflowCost(stack, recorder);
        printWorkflowCost(report);
        out(`wrote ${writeResult('workflow-cost', report)}`);
        results.workflow = report;
        for (const p of report.paths) check(`workflow ${p.path} follows the ASL`, p.expected.matches, `${p.transitions} states, ${p.lambdaInvocations} invocations`);
        const auto = report.paths.find((p) => p.path === 'auto');
        if (auto) {
          check('auto path: at most 8 states, 4 invocations', auto.transitions <= 8 && auto.lambdaInvocations <= 4, `${auto.transitions} states, ${auto.lambdaInvocations} invocations`);
          check('auto path: at most 2 invocations to the write', (auto.invocationsToWrite ?? 99) <= 2, `${auto.invocationsToWrite ?? 'no write'}`);
        }
      }
      if (parts.has('latency')) {
        const { printLatency, runLatency } = await import('./workflow-cost');
        out(`\n== time to the corrective write and to RESOLVED (${options.runs} automatic and ${options.runs} approval runs)`);
        const report = await runLatency(stack, recorder, options.runs);
        printLatency(report);
        out(`wrote ${writeResult('latency', report)}`);
        results.latency = report;
      }
      if (parts.has('burst')) {
        const { printBurst, runBurst } = await import('./burst');
        out(`\n== burst: ${options.burst} findings started at once`);
        const report = await runBurst(stack, recorder, { size: options.burst });
        printBurst(report);
        out(`wrote ${writeResult('burst', report)}`);
        results.burst = report;
        check('burst: resources changed = distinct exposures', report.resourcesChanged === report.distinctExposures, `${report.resourcesChanged} changed, ${report.distinctExposures} exposures`);
        check('burst: no write outside the burst\'s resources', report.strayWrites === 0, `${report.strayWrites} stray writes`);
        check('burst: no exposure left open', report.stillOpen.length === 0, `${report.stillOpen.length} open`);
        check('burst: every execution ended', report.unfinished === 0, `${report.unfinished} still running`);
        const failed = Object.entries(report.outcomes).filter(([o]) => o.startsWith('FAILED') || o.startsWith('TIMED_OUT') || o.startsWith('ABORTED'));
        check('burst: no execution failed', failed.length === 0, failed.length ? failed.map(([o, n]) => `${o} ${n}`).join(', ') : 'none');
      }
    } finally {
      await stack.stop();
    }
  }

  if (parts.has('cold-start')) {
    out('\n== cold start: bundle size and module-load time per function');
    const report = await runBundlesBenchmark(options.loadRuns);
    printBundlesReport(report);
    out(`wrote ${writeResult('bundles', report)}`);
    results.coldStart = report;
    const over = report.functions.filter((f) => f.jsBytes >= BUNDLE_TARGET_BYTES);
    check('every bundle under 1 MiB', over.length === 0, over.length ? over.map((f) => f.function).join(', ') : `${report.functions.length} functions`);
  }

  if (parts.has('policy')) {
    out(`\n== policy analyzer: ${options.policies} policies of the shared corpus`);
    const report = runPolicyBenchmark(options.policies, out);
    if (report === null) throw new PartUnavailableError('the policy corpus generator was not found (set REMEDIATOR_SHARED_DIR)');
    out(`wrote ${writeResult('policy-analyzer', report)}`);
    results.policy = report;
  }

  results.machine.loadAverageAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
  printSummary(results);
  out(`\nwrote ${writeResult('bench', results)} (${Math.round((Date.now() - begun) / 1000)} s)`);
  return results.checks.every((c) => c.ok) ? 0 : 1;
}

class PartUnavailableError extends Error {
  override readonly name = 'PartUnavailableError';
}

function printSummary(results: Results): void {
  const rows: string[][] = [];
  const auto = results.workflow?.paths.find((p) => p.path === 'auto');
  if (auto) rows.push(['auto path', `${auto.transitions} states, ${auto.lambdaInvocations} Lambda invocations (${auto.invocationsToWrite} to the write), ${auto.awsCalls} AWS calls = ${auto.ratio}x the minimum 3`]);
  const ref = results.workflow?.reference;
  if (ref) rows.push([`  vs ${ref.name}`, `${ref.transitions} transitions, ${ref.lambdaInvocations} invocations, a fixed ${ref.waitBeforeWriteSeconds} s wait before the write`]);
  const l = results.latency;
  if (l) {
    rows.push(['auto: to corrective write', `${l.auto.toCorrectiveWriteMs.median} ms median, ${l.auto.toCorrectiveWriteMs.p95} ms p95 (${l.auto.runs} runs)`]);
    rows.push(['auto: to RESOLVED', `${l.auto.toResolvedMs.median} ms median, ${l.auto.toResolvedMs.p95} ms p95`]);
    rows.push(['approve: to the request', `${l.approval.toApprovalRequestMs.median} ms median, ${l.approval.toApprovalRequestMs.p95} ms p95 (${l.approval.runs} runs)`]);
    rows.push(['approve: click to RESOLVED', `${l.approval.clickToResolvedMs.median} ms median, ${l.approval.clickToResolvedMs.p95} ms p95`]);
  }
  const b = results.burst;
  if (b) {
    rows.push(['burst', `${b.findings} findings (${b.duplicates} duplicates) on ${b.distinctExposures} resources: ${b.closedPerSecond} closed/s, all ended in ${(b.wallMs / 1000).toFixed(1)} s`]);
    rows.push(['burst: resources changed', `${b.resourcesChanged} of ${b.distinctExposures} exposures${b.resourcesChanged === b.distinctExposures ? '' : '  <-- MISMATCH'}`]);
    rows.push(['burst: peak memory', `host ${b.peakRssMiB.host} MiB, moto ${b.peakRssMiB.moto ?? 'unknown'} MiB`]);
  }
  const c = results.coldStart;
  if (c) {
    const largest = [...c.functions].sort((x, y) => y.jsBytes - x.jsBytes)[0];
    const slowest = [...c.functions].sort((x, y) => y.loadMs - x.loadMs)[0];
    if (largest && slowest) rows.push(['cold start', `largest bundle ${largest.function} ${(largest.jsBytes / 1024).toFixed(0)} KiB; slowest load ${slowest.function} ${slowest.loadMs} ms`]);
  }
  const p = results.policy;
  if (p) rows.push(['policy analyzer', `${p.textToVerdictPerSecond.toLocaleString('en-US')} policies/s (JSON text -> verdict)`]);
  for (const ch of results.checks) rows.push([`check: ${ch.name}`, `${ch.ok ? 'ok' : 'FAILED'} (${ch.detail})`]);
  out('\n== summary');
  out(`machine: ${results.machine.cpus} CPUs, load average ${results.machine.loadAverageAtStart.join(' ')} at the start, ${results.machine.loadAverageAtEnd?.join(' ') ?? '?'} at the end`);
  out(table(['figure', 'value'], rows, () => false));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const e = error as Error;
    process.stderr.write(`bench: ${e.name === 'UsageError' ? `${e.message}\n${USAGE}` : (e.stack ?? String(error))}\n`);
    process.exit(2);
  },
);
