/**
 * npm run drills — fault drills on the local stack (issue 7). Starts one local
 * stack whose handlers run in this process, wraps their AWS clients with the
 * fault plan, runs each drill, prints one line per drill, then
 * `drills: N passed, M failed`, writes drills/results/drills.json and exits 1
 * when a drill failed. `npm run drills -- <name> …` runs only the drills named.
 */
import './quiet';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deployedLimits } from '../local/function-limits';
import { startLocalStack } from '../local/stack';
import { installAttribution } from './attribution';
import { FaultPlan } from './faults';
import { DrillContext, truncate, type Drill, type DrillOutcome } from './harness';
import { concurrentDeliveries } from './concurrent-deliveries';
import { forgedClicks } from './forged-clicks';
import { hostileEvents } from './hostile-events';
import { injectedFaults } from './injected-faults';
import { manualRequester } from './manual-requester';
import { racingClicks } from './racing-clicks';

const DRILLS: readonly Drill[] = [hostileEvents, concurrentDeliveries, injectedFaults, racingClicks, forgedClicks, manualRequester];

interface DrillFigures extends DrillOutcome {
  name: string;
  passed: boolean;
  seconds: number;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/**
 * A drill's own timeout is what it needs on a quiet machine; the guard against a hung drill allows this many
 * times that (a shared CI runner is slower, and a slow drill is not a failed one).
 * DRILL_TIMEOUT_FACTOR overrides it.
 */
const TIMEOUT_FACTOR = Number(process.env.DRILL_TIMEOUT_FACTOR) > 0 ? Number(process.env.DRILL_TIMEOUT_FACTOR) : 4;

async function runOne(drill: Drill, ctx: DrillContext): Promise<DrillFigures> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const limitMs = drill.timeoutMs * TIMEOUT_FACTOR;
  const timeout = new Promise<DrillOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ tries: 0, failures: [`did not finish within ${limitMs / 1000} s`], notes: [] }), limitMs);
  });
  const outcome = await Promise.race([
    drill.run(ctx).catch((error: unknown): DrillOutcome => ({ tries: 0, failures: [`drill crashed: ${(error as Error).stack ?? String(error)}`], notes: [] })),
    timeout,
  ]).finally(() => clearTimeout(timer));
  ctx.faults.clearRules();
  return { name: drill.name, ...outcome, passed: outcome.failures.length === 0, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  const selected = only.length ? DRILLS.filter((d) => only.includes(d.name)) : DRILLS;
  if (selected.length === 0) throw new Error(`no drill named ${only.join(', ')}; drills: ${DRILLS.map((d) => d.name).join(', ')}`);
  installAttribution();
  const faults = new FaultPlan();
  const rulesFile = fileURLToPath(new URL('./rules.yaml', import.meta.url));
  // A drill may shorten a function's timeout for a while (DrillContext.timeouts), to stop a handler mid-call.
  const timeouts = new Map<string, number>();
  const stack = await startLocalStack({ rescanWaitSeconds: 1, rulesFile, limits: deployedLimits(undefined, timeouts) });
  const figures: DrillFigures[] = [];
  const started = Date.now();
  try {
    const ctx = new DrillContext(stack, faults, timeouts);
    for (const drill of selected) {
      const result = await runOne(drill, ctx);
      figures.push(result);
      say(`drill ${result.name}: ${result.tries} tries, ${result.failures.length} failures`);
      for (const note of [...result.notes, `${result.seconds} s`]) say(`  · ${note}`);
      const shown = result.failures.slice(0, 8);
      for (const failure of shown) say(`  ✘ ${truncate(failure, 300)}`);
      if (result.failures.length > shown.length) say(`  ✘ … and ${result.failures.length - shown.length} more (drills/results/drills.json)`);
    }
  } finally {
    await stack.stop();
  }
  const passed = figures.filter((f) => f.passed).length;
  const failed = figures.length - passed;
  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    `${resultsDir}drills.json`,
    `${JSON.stringify({ finishedAt: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), passed, failed, drills: figures }, null, 2)}\n`,
  );
  say(`drills: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`drills could not run: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  },
);
