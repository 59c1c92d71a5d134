/**
 * Policy analyzer benchmark: `npx tsx bench/policy-analyzer.ts [N]` (default 100000).
 *
 * Generates the shared corpus with `python3 <shared>/bench/gen-policy-corpus.py N <tmpfile>`
 * (<shared> = ../shared from the repo root, or $REMEDIATOR_SHARED_DIR), parses every
 * policy first (timed separately, not part of the analysis figure), then times `analyzePolicy`
 * over the parsed policies against the zone {account 111111111111, org o-abc123}.
 * One warm-up pass, then several timed passes; the figure is the median pass.
 *
 * End to end (measured first, before the corpus is parsed and held): from the JSON text of each
 * policy, `analyzePolicy(parsePolicy(text), zone)` (JSON.parse, validation, compilation and
 * analysis), one warm-up pass and the median of several timed passes; the first pass (cold JIT,
 * empty parse caches) is printed too. The parse caches are emptied again before the parse figure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import type { ParsedPolicy, PolicyAnalysis, ZoneOfTrust } from '../lib/policy';
import { analyzePolicy, parsePolicy } from '../lib/policy';
import { resetCaches } from '../lib/policy/parse';

export interface PolicyBenchmarkResult {
  policies: number;
  statements: number;
  parsePerSecond: number;
  analysePerSecond: number;
  passMillis: number[];
  endToEndPerSecond: number;
  endToEndColdPerSecond: number;
  endToEndPassMillis: number[];
  peakRssMiB: number;
  /** After the end-to-end passes, before the corpus is parsed and held. */
  endToEndPeakRssMiB: number;
  peakHeapMiB: number;
  verdicts: { public: number; crossAccountOnly: number; notExposed: number };
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sharedDir(): string {
  return process.env.REMEDIATOR_SHARED_DIR ? resolve(process.env.REMEDIATOR_SHARED_DIR) : resolve(repoRoot, '../shared');
}

let peakHeap = 0;
function sampleHeap(): void {
  const used = getHeapStatistics().used_heap_size;
  if (used > peakHeap) peakHeap = used;
}

const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

export function runPolicyBenchmark(n: number, log: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): PolicyBenchmarkResult | null {
  const generator = join(sharedDir(), 'bench', 'gen-policy-corpus.py');
  if (!existsSync(generator)) {
    log(`policy benchmark: the corpus generator is not at ${generator}; set REMEDIATOR_SHARED_DIR to the shared folder`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'remediator-bench-'));
  const corpus = join(dir, 'corpus.jsonl');
  try {
    execFileSync('python3', [generator, String(n), corpus], { stdio: 'inherit' });
    const lines = readFileSync(corpus, 'utf8').split('\n').filter((l) => l !== '');
    // End to end first (a stream of policies, none held): JSON text -> parsePolicy -> analyzePolicy, caches empty at the start.
    const zone: ZoneOfTrust = { accountIds: ['111111111111'], organizationId: 'o-abc123' };
    let sink: PolicyAnalysis | undefined;
    resetCaches();
    const endToEnd = (): number => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < lines.length; i++) sink = analyzePolicy(parsePolicy(lines[i]!), zone);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      sampleHeap();
      return ms;
    };
    const coldMillis = endToEnd(); // with empty parse caches; also the warm-up
    const endToEndPassMillis = [endToEnd(), endToEnd(), endToEnd(), endToEnd(), endToEnd()];
    const endToEndMedian = [...endToEndPassMillis].sort((a, b) => a - b)[Math.floor(endToEndPassMillis.length / 2)]!;

    const endToEndPeakRssMiB = mib(process.resourceUsage().maxRSS * 1024);

    // Then parse the whole corpus once (from documents, caches empty again) and analyse the parsed set.
    resetCaches();
    const documents: object[] = lines.map((l) => JSON.parse(l) as object);

    const parseStart = process.hrtime.bigint();
    const parsed: ParsedPolicy[] = documents.map((d) => parsePolicy(d));
    const parseSeconds = Number(process.hrtime.bigint() - parseStart) / 1e9;
    sampleHeap();
    const statements = parsed.reduce((sum, p) => sum + p.statements.length, 0);
    const policies = parsed.length;

    const cpuMillis: number[] = [];
    const pass = (): number => {
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      for (let i = 0; i < parsed.length; i++) sink = analyzePolicy(parsed[i]!, zone);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const used = process.cpuUsage(cpu);
      cpuMillis.push((used.user + used.system) / 1000);
      sampleHeap();
      return ms;
    };
    pass(); // warm-up (JIT)
    cpuMillis.length = 0;
    const passMillis = [pass(), pass(), pass(), pass(), pass()];
    const sorted = [...passMillis].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;

    const verdicts = { public: 0, crossAccountOnly: 0, notExposed: 0 };
    for (const p of parsed) {
      const a = analyzePolicy(p, zone);
      if (a.isPublic) verdicts.public++;
      else if (a.exposed) verdicts.crossAccountOnly++;
      else verdicts.notExposed++;
    }

    void sink;
    const result: PolicyBenchmarkResult = {
      policies,
      statements,
      parsePerSecond: Math.round(policies / parseSeconds),
      analysePerSecond: Math.round(policies / (median / 1000)),
      passMillis: passMillis.map((m) => Math.round(m * 10) / 10),
      endToEndPerSecond: Math.round(lines.length / (endToEndMedian / 1000)),
      endToEndColdPerSecond: Math.round(lines.length / (coldMillis / 1000)),
      endToEndPassMillis: endToEndPassMillis.map((m) => Math.round(m * 10) / 10),
      peakRssMiB: mib(process.resourceUsage().maxRSS * 1024),
      endToEndPeakRssMiB,
      peakHeapMiB: mib(peakHeap),
      verdicts,
    };
    log(`policy analyzer: ${result.policies.toLocaleString('en-US')} policies (${statements.toLocaleString('en-US')} statements), zone 111111111111 + o-abc123`);
    log(`  analysis:  ${result.analysePerSecond.toLocaleString('en-US')} policies/s (median of ${passMillis.length} passes after a warm-up; passes ms: ${result.passMillis.join(', ')})`);
    log(`  cpu time per pass (ms): ${cpuMillis.map((m) => Math.round(m)).join(', ')} (one thread; GC helpers included)`);
    log(`  parsing:   ${result.parsePerSecond.toLocaleString('en-US')} policies/s (untimed in the figure above; done once)`);
    log(`  end to end: ${result.endToEndPerSecond.toLocaleString('en-US')} policies/s (JSON text -> parsePolicy -> analyzePolicy; median of ${endToEndPassMillis.length} passes after a warm-up; passes ms: ${result.endToEndPassMillis.join(', ')}; first pass, cold JIT and empty caches: ${result.endToEndColdPerSecond.toLocaleString('en-US')} policies/s)`);
    log(`  memory:    peak RSS ${result.peakRssMiB} MiB, peak heap used ${result.peakHeapMiB} MiB`);
    log(`  memory during end to end only (corpus text held, no parsed set): peak RSS ${result.endToEndPeakRssMiB} MiB`);
    log(`  verdicts:  ${verdicts.public} public, ${verdicts.crossAccountOnly} cross-account only, ${verdicts.notExposed} not exposed`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const n = Number(process.argv[2] ?? 100_000);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write('usage: tsx bench/policy-analyzer.ts [N]\n');
    process.exit(2);
  }
  if (runPolicyBenchmark(n) === null) process.exit(2);
}
