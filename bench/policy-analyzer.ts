/**
 * Policy analyzer benchmark: `npx tsx bench/policy-analyzer.ts [N]` (default 100000).
 *
 * Generates the shared corpus with `python3 <shared>/bench/gen-policy-corpus.py N <tmpfile>`
 * (<shared> = ../shared from the repo root, or from the main checkout when this is a git
 * worktree, or $REMEDIATOR_SHARED_DIR) and measures, against the zone {account 111111111111,
 * org o-abc123}:
 * - the headline figure, the one to compare with other checkers: policy JSON text -> verdict
 *   (`analyzePolicy(text, zone)`: JSON.parse, grammar, compile, Deny, verdict), one policy at a time;
 * - policy object -> verdict (`analyzePolicy(object, zone)`: what Cloud Custodian's
 *   `PolicyChecker.check` does on a dict);
 * - analysis alone of policies parsed beforehand (parsing not timed).
 * Each: one warm-up pass, then the median of five timed passes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import type { ParsedPolicy, PolicyAnalysis, ZoneOfTrust } from '../lib/policy';
import { analyzePolicy, parsePolicy } from '../lib/policy';

export interface PolicyBenchmarkResult {
  policies: number;
  statements: number;
  /** Headline: policy JSON text -> verdict, per second. */
  textToVerdictPerSecond: number;
  /** Policy object -> verdict, per second. */
  objectToVerdictPerSecond: number;
  /** Analysis of policies parsed beforehand, per second. */
  analysePerSecond: number;
  passMillis: { text: number[]; object: number[]; analyse: number[] };
  peakRssMiB: number;
  peakHeapMiB: number;
  verdicts: { public: number; crossAccountOnly: number; notExposed: number; serviceRiskOnly: number };
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** ../shared next to the repo; in a git worktree, next to the main checkout. */
function sharedDir(): string {
  if (process.env.REMEDIATOR_SHARED_DIR) return resolve(process.env.REMEDIATOR_SHARED_DIR);
  const beside = resolve(repoRoot, '../shared');
  if (existsSync(beside)) return beside;
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    return resolve(dirname(common), '../shared');
  } catch {
    return beside;
  }
}

let peakHeap = 0;
function sampleHeap(): void {
  const used = getHeapStatistics().used_heap_size;
  if (used > peakHeap) peakHeap = used;
}

const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** One warm-up pass, then five timed passes; returns the pass times in ms. */
function timePasses(pass: () => void): number[] {
  pass();
  const out: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint();
    pass();
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
    sampleHeap();
  }
  return out;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round1 = (xs: readonly number[]): number[] => xs.map((m) => Math.round(m * 10) / 10);

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
    const zone: ZoneOfTrust = { accountIds: ['111111111111'], organizationId: 'o-abc123' };
    let sink: PolicyAnalysis | undefined;

    const text = timePasses(() => {
      for (let i = 0; i < lines.length; i++) sink = analyzePolicy(lines[i]!, zone);
    });
    const documents: object[] = lines.map((l) => JSON.parse(l) as object);
    const object = timePasses(() => {
      for (let i = 0; i < documents.length; i++) sink = analyzePolicy(documents[i]!, zone);
    });
    const parsed: ParsedPolicy[] = documents.map((d) => parsePolicy(d));
    const analyse = timePasses(() => {
      for (let i = 0; i < parsed.length; i++) sink = analyzePolicy(parsed[i]!, zone);
    });
    void sink;

    const verdicts = { public: 0, crossAccountOnly: 0, notExposed: 0, serviceRiskOnly: 0 };
    for (const p of parsed) {
      const a = analyzePolicy(p, zone);
      if (a.isPublic) verdicts.public++;
      else if (a.exposed) verdicts.crossAccountOnly++;
      else if (a.risks.length > 0) verdicts.serviceRiskOnly++;
      else verdicts.notExposed++;
    }
    const statements = parsed.reduce((sum, p) => sum + p.statements.length, 0);
    const perSecond = (ms: readonly number[]): number => Math.round(lines.length / (median(ms) / 1000));
    const result: PolicyBenchmarkResult = {
      policies: lines.length,
      statements,
      textToVerdictPerSecond: perSecond(text),
      objectToVerdictPerSecond: perSecond(object),
      analysePerSecond: perSecond(analyse),
      passMillis: { text: round1(text), object: round1(object), analyse: round1(analyse) },
      peakRssMiB: mib(process.resourceUsage().maxRSS * 1024),
      peakHeapMiB: mib(peakHeap),
      verdicts,
    };
    const f = (x: number): string => x.toLocaleString('en-US');
    log(`policy analyzer: ${f(result.policies)} policies (${f(statements)} statements), zone 111111111111 + o-abc123; median of 5 passes after a warm-up`);
    log(`  policy JSON text -> verdict:   ${f(result.textToVerdictPerSecond)} policies/s  <- the figure to compare (passes ms: ${result.passMillis.text.join(', ')})`);
    log(`  policy object -> verdict:      ${f(result.objectToVerdictPerSecond)} policies/s  (what Cloud Custodian's PolicyChecker.check does on a dict; passes ms: ${result.passMillis.object.join(', ')})`);
    log(`  parsed policy -> verdict:      ${f(result.analysePerSecond)} policies/s  (parsing not timed; passes ms: ${result.passMillis.analyse.join(', ')})`);
    log(`  memory:    peak RSS ${result.peakRssMiB} MiB, peak heap used ${result.peakHeapMiB} MiB`);
    log(`  verdicts:  ${verdicts.public} public, ${verdicts.crossAccountOnly} cross-account only, ${verdicts.serviceRiskOnly} service risk only, ${verdicts.notExposed} not exposed`);
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
