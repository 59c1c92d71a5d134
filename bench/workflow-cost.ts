/**
 * npm run bench:workflow — the cost of a fix, per path, on the local stack:
 * state transitions and Lambda invocations (from the execution history), AWS
 * API calls made by the handlers (counted by a client decorator in the function
 * host, which runs in this process), and over many automatic runs with the
 * rescan wait at zero, the time from the event to the corrective write and to
 * RESOLVED. Prints a table; writes bench/results/workflow-cost.json.
 *
 *   BENCH_AUTO_RUNS=50 (default) npm run bench:workflow
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeletePublicAccessBlockCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { addClientDecorator, type SdkClient } from '../lib/aws/clients';
import { SLACK_BUTTONS } from '../lib/escalation/messages';
import { outcomeOf } from '../lib/outcome';
import { RunStateSchema } from '../lib/workflow/state';
import { followExecution, type ExecutionResult } from '../local/execution';
import { accessAnalyzerEvent, createBucketWithPolicy, publicReadPolicy, uniqueName } from '../local/fixtures';
import { clickSlackButton } from '../local/slack-click';
import { fetchRecordedSlackCalls } from '../local/slack-stand-in';
import { startLocalStack, type LocalStack } from '../local/stack';

interface ApiCall {
  at: number;
  service: string;
  command: string;
  bucket?: string;
}

/** Every command the handlers' clients send, with when and (for S3) which bucket. */
const calls: ApiCall[] = [];
/** Buckets to re-open right after Remediator closes them (the escalation path): a pipeline that puts the old policy back. */
const reopen = new Map<string, () => Promise<void>>();

addClientDecorator((client: SdkClient) => {
  const middleware = (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
    async (args: { input: Record<string, unknown> }) => {
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const bucket = typeof args.input.Bucket === 'string' ? args.input.Bucket : undefined;
      calls.push({ at: Date.now(), service, command, ...(bucket ? { bucket } : {}) });
      const result = await next(args);
      const drift = bucket && command === 'PutPublicAccessBlock' ? reopen.get(bucket) : undefined;
      if (drift) await drift();
      return result;
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'benchCallCounter' });
});

interface PathCost {
  path: string;
  outcome: string;
  states: string[];
  transitions: number;
  lambdaInvocations: number;
  invocationsBeforeWrite: number | null;
  awsCalls: number;
  awsCallsByService: Record<string, number>;
  resourceCalls: number;
}

const lambdaScheduled = (history: HistoryEvent[]): HistoryEvent[] =>
  history.filter((e) => (e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resourceType === 'lambda') || e.type === 'LambdaFunctionScheduled');

function costOf(path: string, result: ExecutionResult, window: ApiCall[], resourceService: string): PathCost {
  const entered = result.history.filter((e) => e.type?.endsWith('StateEntered'));
  const applyAt = entered.findIndex((e) => e.stateEnteredEventDetails?.name === 'Apply Corrective Control');
  const scheduled = lambdaScheduled(result.history);
  const applyId = applyAt >= 0 ? (entered[applyAt]!.id ?? 0) : null;
  const byService: Record<string, number> = {};
  for (const call of window) byService[call.service] = (byService[call.service] ?? 0) + 1;
  return {
    path,
    outcome: result.status === 'SUCCEEDED' ? outcomeOf(RunStateSchema.parse(result.output)).outcome : `${result.status} ${result.error ?? ''}`,
    states: result.states.map((s) => s.name),
    transitions: entered.length,
    lambdaInvocations: scheduled.length,
    invocationsBeforeWrite: applyId === null ? null : scheduled.filter((e) => (e.id ?? 0) < applyId).length + 1,
    awsCalls: window.length,
    awsCallsByService: byService,
    resourceCalls: byService[resourceService] ?? 0,
  };
}

async function buttonFor(stack: LocalStack, bucket: string, actionId: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const call of await fetchRecordedSlackCalls(stack.slack.url)) {
      if (call.method !== 'chat.postMessage' || !JSON.stringify(call.args.blocks ?? []).includes(bucket)) continue;
      const blocks = call.args.blocks as { elements?: { action_id?: string; value?: string }[] }[];
      const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
      if (button?.value) return button.value;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${actionId} button for ${bucket}`);
}

async function run(stack: LocalStack, sfn: SFNClient, event: unknown, human?: { until: string; bucket: string; actionId: string }): Promise<{ result: ExecutionResult; window: ApiCall[]; startedAt: number }> {
  const from = calls.length;
  const startedAt = Date.now();
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: stack.stateMachineArn, name: uniqueName('bench'), input: JSON.stringify(event) }));
  if (human) {
    await followExecution(sfn, executionArn!, { until: (v) => v.some((s) => s.name === human.until), timeoutMs: 120_000, pollMs: 100 });
    const value = await buttonFor(stack, human.bucket, human.actionId);
    const click = await clickSlackButton({ interactionsUrl: stack.interactionsUrl, signingSecret: stack.slack.signingSecret, userId: 'U0BENCH', actionId: human.actionId, value });
    if (click.status !== 200) throw new Error(`click answered ${click.status}: ${click.body}`);
  }
  const result = await followExecution(sfn, executionArn!, { timeoutMs: 120_000, pollMs: 50 });
  return { result, window: calls.slice(from), startedAt };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;

async function main(): Promise<void> {
  const autoRuns = Number(process.env.BENCH_AUTO_RUNS ?? 50);
  const stack = await startLocalStack({ rescanWaitSeconds: 0 });
  try {
    const s3 = new S3Client(stack.clientConfig);
    const sfn = new SFNClient(stack.clientConfig);
    const paths: PathCost[] = [];

    // auto: a public bucket, fixed and verified.
    const autoBucket = uniqueName('bench-public-assets');
    await createBucketWithPolicy(s3, autoBucket);
    const autoEvent = accessAnalyzerEvent(autoBucket);
    const auto = await run(stack, sfn, autoEvent);
    paths.push(costOf('auto', auto.result, auto.window, 'S3'));

    // ignore: the same finding version delivered again.
    const ignore = await run(stack, sfn, { ...autoEvent, id: 'redelivered' });
    paths.push(costOf('ignore', ignore.result, ignore.window, 'S3'));

    // approve / reject: a production bucket, a human clicks in Slack.
    for (const [path, actionId] of [['approve', SLACK_BUTTONS.approve], ['reject', SLACK_BUTTONS.reject]] as const) {
      const bucket = uniqueName(`bench-prod-${path}`);
      await createBucketWithPolicy(s3, bucket);
      const done = await run(stack, sfn, accessAnalyzerEvent(bucket), { until: 'Request Approval', bucket, actionId });
      paths.push(costOf(path, done.result, done.window, 'S3'));
    }

    // escalate: the bucket is re-opened right after each fix; on-call acknowledges.
    const drifting = uniqueName('bench-drifting-site');
    await createBucketWithPolicy(s3, drifting);
    reopen.set(drifting, async () => {
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: drifting }));
      await s3.send(new PutBucketPolicyCommand({ Bucket: drifting, Policy: publicReadPolicy(drifting) }));
    });
    const escalate = await run(stack, sfn, accessAnalyzerEvent(drifting), { until: 'Escalate To On-Call', bucket: drifting, actionId: SLACK_BUTTONS.acknowledge });
    paths.push(costOf('escalate', escalate.result, escalate.window, 'S3'));

    // Time to the corrective write and to RESOLVED over many automatic runs.
    const toWrite: number[] = [];
    const toResolved: number[] = [];
    for (let i = 0; i < autoRuns; i++) {
      const bucket = uniqueName('bench-auto');
      await createBucketWithPolicy(s3, bucket);
      const { result, window, startedAt } = await run(stack, sfn, accessAnalyzerEvent(bucket));
      const write = window.find((c) => c.command === 'PutBucketPolicy' && c.bucket === bucket);
      const resolved = result.history.find((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'Record And Notify');
      if (!write || !resolved || result.status !== 'SUCCEEDED') throw new Error(`auto run ${i} did not resolve: ${result.status} ${result.error ?? ''}`);
      const started = result.history.find((e) => e.type === 'ExecutionStarted')?.timestamp?.getTime() ?? startedAt;
      toWrite.push(write.at - started);
      toResolved.push(resolved.timestamp!.getTime() - started);
    }
    const timing = {
      runs: autoRuns,
      rescanWaitSeconds: 0,
      toCorrectiveWriteMs: { median: median(toWrite), p95: percentile(toWrite, 95) },
      toResolvedMs: { median: median(toResolved), p95: percentile(toResolved, 95) },
    };

    const rows = paths.map((p) => [
      p.path,
      p.outcome,
      String(p.transitions),
      String(p.lambdaInvocations),
      p.invocationsBeforeWrite === null ? '-' : String(p.invocationsBeforeWrite),
      String(p.awsCalls),
      String(p.resourceCalls),
      p.resourceCalls ? (p.awsCalls / p.resourceCalls).toFixed(1) : '-',
      Object.entries(p.awsCallsByService).map(([s, n]) => `${s} ${n}`).join(', '),
    ]);
    const header = ['path', 'outcome', 'states', 'invocations', 'inv. to write', 'AWS calls', 'resource calls', 'ratio', 'by service'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n\n`);
    process.stdout.write(
      `auto path over ${autoRuns} runs (rescan wait 0 s): corrective write after ${timing.toCorrectiveWriteMs.median} ms median (p95 ${timing.toCorrectiveWriteMs.p95} ms); ` +
        `RESOLVED after ${timing.toResolvedMs.median} ms median (p95 ${timing.toResolvedMs.p95} ms)\n`,
    );
    process.stdout.write('resource calls = the calls to the resource\'s own service (S3): read, write, verify; ratio = all AWS calls / resource calls.\n');
    const target = fileURLToPath(new URL('./results/workflow-cost.json', import.meta.url));
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    writeFileSync(target, `${JSON.stringify({ measuredAt: new Date().toISOString(), paths, timing }, null, 2)}\n`);
    process.stdout.write(`wrote ${target}\n`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:workflow failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  },
);
