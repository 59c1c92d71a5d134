/**
 * `npm run bench:bundles`: the size of each function's bundle (built exactly as
 * `osls package` builds it) and its cold module-load time: a fresh `node` per
 * sample imports the bundle and reports how long the import took (median of
 * BENCH_LOAD_RUNS, default 5), without and with the deployed NODE_OPTIONS.
 * Wall time is what a cold start waits; CPU time is steadier on a busy machine.
 * Prints a table and writes bench/results/bundles.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildFunctionBundles, readServerlessConfig, type FunctionBundle } from './function-bundles';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLE_TARGET_BYTES = 1024 * 1024;
const MiB = 1024 * 1024;

/** Runs in the fresh process: time the import of the bundle, then report it with the process's memory. */
const LOAD_PROBE = `
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await import(process.argv[1]);
const cpu = process.cpuUsage(cpu0);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage().rss }));
`;

export interface BundleFigures {
  function: string;
  jsBytes: number;
  mapBytes: number;
  loadMs: number;
  loadCpuMs: number;
  loadMsWithSourceMaps: number;
  rssBytes: number;
  topModules: { module: string; bytes: number }[];
}

export interface BundlesReport {
  node: string;
  runtime: string;
  target: string;
  runs: number;
  targetBytes: number;
  functions: BundleFigures[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The function's environment as deployed, CloudFormation references replaced by placeholders. */
function lambdaEnvironment(key: string, environment: Record<string, unknown>, nodeOptions: string | undefined): NodeJS.ProcessEnv {
  const deployed = Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, typeof value === 'string' ? value : `placeholder-${name.toLowerCase()}`]));
  const { NODE_OPTIONS: _deployedOptions, ...rest } = deployed;
  return {
    PATH: process.env.PATH,
    ...rest,
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: `remediator-bench-${key}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

type LoadSample = { ms: number; cpuMs: number; rssBytes: number };

function timeLoad(bundle: FunctionBundle, env: NodeJS.ProcessEnv): LoadSample {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', LOAD_PROBE, pathToFileURL(bundle.path).href], { cwd: dirname(bundle.path), env, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`loading ${bundle.key}'s bundle failed (exit ${run.status}): ${run.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
  return JSON.parse(run.stdout) as LoadSample;
}

export async function runBundlesBenchmark(runs = Number(process.env.BENCH_LOAD_RUNS ?? 5)): Promise<BundlesReport> {
  const config = readServerlessConfig(ROOT);
  const environment = config.provider.environment ?? {};
  const deployedNodeOptions = typeof environment.NODE_OPTIONS === 'string' ? environment.NODE_OPTIONS : undefined;
  const outDir = mkdtempSync(join(tmpdir(), 'remediator-bundles-'));
  try {
    const bundles = await buildFunctionBundles(ROOT, outDir);
    const functions = bundles.map((bundle): BundleFigures => {
      const plain = Array.from({ length: runs }, () => timeLoad(bundle, lambdaEnvironment(bundle.key, environment, undefined)));
      const withMaps = deployedNodeOptions ? Array.from({ length: runs }, () => timeLoad(bundle, lambdaEnvironment(bundle.key, environment, deployedNodeOptions))) : plain;
      return {
        function: bundle.key,
        jsBytes: bundle.jsBytes,
        mapBytes: bundle.mapBytes,
        loadMs: Number(median(plain.map((r) => r.ms)).toFixed(1)),
        loadCpuMs: Number(median(plain.map((r) => r.cpuMs)).toFixed(1)),
        loadMsWithSourceMaps: Number(median(withMaps.map((r) => r.ms)).toFixed(1)),
        rssBytes: median(plain.map((r) => r.rssBytes)),
        topModules: bundle.modules.slice(0, 8),
      };
    });
    return { node: process.version, runtime: config.provider.runtime, target: String(config.custom.esbuild.target), runs, targetBytes: BUNDLE_TARGET_BYTES, functions };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export function printBundlesReport(report: BundlesReport): void {
  const kib = (bytes: number) => (bytes / 1024).toFixed(0);
  const rows = report.functions.map((f) => [
    f.function,
    kib(f.jsBytes),
    f.jsBytes < report.targetBytes ? 'yes' : 'NO',
    kib(f.mapBytes),
    f.loadMs.toFixed(1),
    f.loadCpuMs.toFixed(1),
    f.loadMsWithSourceMaps.toFixed(1),
    (f.rssBytes / MiB).toFixed(0),
    f.topModules.slice(0, 4).map((m) => `${m.module} ${kib(m.bytes)}`).join(', '),
  ]);
  const header = ['function', 'JS KiB', '<1MiB', 'map KiB', 'load ms', 'CPU ms', '+maps ms', 'RSS MiB', 'largest inputs (KiB in bundle)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  console.log(`bundles: esbuild target ${report.target} for ${report.runtime}, minified; cold import on Node ${report.node}, median of ${report.runs} fresh processes ("+maps": with the deployed NODE_OPTIONS)`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  const over = report.functions.filter((f) => f.jsBytes >= report.targetBytes).length;
  console.log(`bundles: ${report.functions.length - over} of ${report.functions.length} under ${report.targetBytes / MiB} MiB`);
}

export function writeBundlesReport(report: BundlesReport, file = join(ROOT, 'bench/results/bundles.json')): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await runBundlesBenchmark();
  printBundlesReport(report);
  console.log(`bundles: wrote ${writeBundlesReport(report)}`);
}
