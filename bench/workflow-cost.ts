/**
 * The cost of a fix per path, on the local stack: states entered and Lambda
 * invocations (from the execution history), AWS API calls made by the handlers
 * (counted in process by bench/calls.ts), against the minimum the change needs
 * (read, write, verify: 3 calls); and, over many runs with the rescan wait at
 * zero, the time to the corrective write and to RESOLVED, for the automatic
 * path and for the approval path up to and after the click.
 */
import { DeletePublicAccessBlockCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { SLACK_BUTTONS } from '../lib/escalation/messages';
import { outcomeOf } from '../lib/outcome';
import { RunStateSchema } from '../lib/workflow/state';
import { followExecution, type ExecutionResult } from '../local/execution';
import { accessAnalyzerEvent, createBucketWithPolicy, publicReadPolicy, uniqueName } from '../local/fixtures';
import { clickSlackButton } from '../local/slack-click';
import { fetchRecordedSlackCalls } from '../local/slack-stand-in';
import type { LocalStack } from '../local/stack';
import type { ApiCall, CallRecorder } from './calls';
import { out, spread, table, type Spread } from './report';

/** What the corrective change itself needs: read the resource, write it, read it back. */
export const MINIMUM_CALLS = 3;

/**
 * The states each path enters, read by hand from statemachines/remediation.asl.json
 * (rules file: rescan maxAttempts 3; the escalate path's fix is undone each time).
 */
export const EXPECTED_PATHS: Record<string, string[]> = {
  auto: ['Classify Finding', 'Route?', 'Apply Corrective Control', 'Wait For Rescan', 'Check Resolution', 'Resolved?', 'Record And Notify', 'Done'],
  'approve (to click)': ['Classify Finding', 'Route?', 'Request Approval'],
  'approve (after click)': ['Approved?', 'Apply Corrective Control', 'Wait For Rescan', 'Check Resolution', 'Resolved?', 'Record And Notify', 'Done'],
  escalate: [
    'Classify Finding', 'Route?', 'Apply Corrective Control',
    'Wait For Rescan', 'Check Resolution', 'Resolved?',
    'Wait For Rescan', 'Check Resolution', 'Resolved?',
    'Wait For Rescan', 'Check Resolution', 'Resolved?',
    'Escalate To On-Call', 'Roll Back Requested?', 'Record And Notify', 'Done',
  ],
  ignore: ['Classify Finding', 'Route?', 'Record Outcome', 'Done'],
  reject: ['Classify Finding', 'Route?', 'Request Approval', 'Record And Notify', 'Done'],
};

/** Lambda-backed states: one invocation each time one is entered. */
const LAMBDA_STATES = new Set([
  'Classify Finding', 'Apply Corrective Control', 'Check Resolution', 'Request Approval', 'Escalate To On-Call',
  'Roll Back Change', 'Escalate To Next Level', 'Record Outcome', 'Record And Notify', 'Record And Notify Failure',
  'Plan Corrective Control', 'Archive Finding', 'Close Open Remediations',
]);

export interface PathCost {
  path: string;
  outcome: string;
  states: string[];
  transitions: number;
  lambdaInvocations: number;
  /** Invocations up to and including the one that writes the fix; null when nothing is written. */
  invocationsToWrite: number | null;
  awsCalls: number;
  awsCallsByService: Record<string, number>;
  awsCallsByTask: Record<string, number>;
  /** Every call in order: `task: Service.Command`. */
  callSequence: string[];
  resourceCalls: number;
  minimumCalls: number;
  /** awsCalls / minimumCalls (null when the path changes nothing). */
  ratio: number | null;
  expected: { transitions: number; lambdaInvocations: number; matches: boolean };
}

export interface WorkflowCostReport {
  paths: PathCost[];
  reference: { name: string; transitions: number; lambdaInvocations: number; waitBeforeWriteSeconds: number };
}

export interface LatencyReport {
  rescanWaitSeconds: 0;
  auto: { runs: number; toCorrectiveWriteMs: Spread; toResolvedMs: Spread; toEndMs: Spread };
  approval: { runs: number; toApprovalRequestMs: Spread; clickToCorrectiveWriteMs: Spread; clickToResolvedMs: Spread };
}

const lambdaScheduled = (history: HistoryEvent[]): HistoryEvent[] =>
  history.filter((e) => (e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resourceType === 'lambda') || e.type === 'LambdaFunctionScheduled');

const entered = (history: HistoryEvent[]): HistoryEvent[] => history.filter((e) => e.type?.endsWith('StateEntered'));

function countBy(calls: ApiCall[], key: (c: ApiCall) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[key(call)] = (counts[key(call)] ?? 0) + 1;
  return counts;
}

function costOf(path: string, outcome: string, history: HistoryEvent[], calls: ApiCall[], resourceService: string): PathCost {
  const states = entered(history).map((e) => e.stateEnteredEventDetails?.name ?? '?');
  const scheduled = lambdaScheduled(history);
  const applyEntered = entered(history).find((e) => e.stateEnteredEventDetails?.name === 'Apply Corrective Control');
  const wrote = calls.some((c) => c.resourceWrite);
  const byService = countBy(calls, (c) => c.service);
  const expectedStates = EXPECTED_PATHS[path] ?? [];
  const minimumCalls = wrote ? MINIMUM_CALLS : 0;
  return {
    path,
    outcome,
    states,
    transitions: states.length,
    lambdaInvocations: scheduled.length,
    invocationsToWrite: applyEntered && wrote ? scheduled.filter((e) => (e.id ?? 0) < (applyEntered.id ?? 0)).length + 1 : null,
    awsCalls: calls.length,
    awsCallsByService: byService,
    awsCallsByTask: countBy(calls, (c) => c.invocation.operation ?? c.invocation.fn),
    callSequence: calls.map((c) => `${c.invocation.operation ?? c.invocation.fn}: ${c.service}.${c.command}`),
    resourceCalls: byService[resourceService] ?? 0,
    minimumCalls,
    ratio: minimumCalls ? Number((calls.length / minimumCalls).toFixed(1)) : null,
    expected: {
      transitions: expectedStates.length,
      lambdaInvocations: expectedStates.filter((s) => LAMBDA_STATES.has(s)).length,
      matches: JSON.stringify(expectedStates) === JSON.stringify(states),
    },
  };
}

const outcomeText = (result: ExecutionResult): string =>
  result.status === 'SUCCEEDED' ? outcomeOf(RunStateSchema.parse(result.output)).outcome : `${result.status} ${result.error ?? ''}`.trim();

/** The value of a button of the Slack message that names `bucket`. */
async function buttonFor(stack: LocalStack, bucket: string, actionId: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const call of (await fetchRecordedSlackCalls(stack.slack.url)).reverse()) {
      if (call.method !== 'chat.postMessage' || !JSON.stringify(call.args.blocks ?? []).includes(bucket)) continue;
      const blocks = call.args.blocks as { elements?: { action_id?: string; value?: string }[] }[];
      const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
      if (button?.value) return button.value;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${actionId} button for ${bucket} in the Slack stand-in`);
}

interface Run {
  executionArn: string;
  result: ExecutionResult;
  startedAt: number;
  clickedAt: number | null;
  endedAt: number;
}

/** Start one execution; when `human` says so, wait for the task that posts the message and click as a person would. */
async function runOnce(
  stack: LocalStack,
  sfn: SFNClient,
  recorder: CallRecorder,
  event: unknown,
  human?: { task: 'request-approval' | 'escalate-to-on-call'; bucket: string; actionId: string; userId: string },
): Promise<Run> {
  const name = uniqueName('bench');
  const executionArn = `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const posted = human ? recorder.handlerReturned(executionArn, human.task, 120_000) : undefined;
  const startedAt = Date.now();
  await sfn.send(new StartExecutionCommand({ stateMachineArn: stack.stateMachineArn, name, input: JSON.stringify(event) }));
  let clickedAt: number | null = null;
  if (human) {
    await posted;
    const value = await buttonFor(stack, human.bucket, human.actionId);
    clickedAt = Date.now();
    const click = await clickSlackButton({ interactionsUrl: stack.interactionsUrl, signingSecret: stack.slack.signingSecret, userId: human.userId, actionId: human.actionId, value });
    if (click.status !== 200) throw new Error(`the ${human.actionId} click answered ${click.status}: ${click.body}`);
  }
  const result = await followExecution(sfn, executionArn, { timeoutMs: 120_000, pollMs: 250 });
  return { executionArn, result, startedAt, clickedAt, endedAt: Date.now() };
}

const startedAtOf = (run: Run): number => run.result.history.find((e) => e.type === 'ExecutionStarted')?.timestamp?.getTime() ?? run.startedAt;

/** One execution per path (auto, ignore, approve, reject, escalate), each costed. */
export async function runWorkflowCost(stack: LocalStack, recorder: CallRecorder): Promise<WorkflowCostReport> {
  const s3 = new S3Client(stack.clientConfig);
  const sfn = new SFNClient(stack.clientConfig);
  const paths: PathCost[] = [];
  const callsOf = (run: Run): ApiCall[] => recorder.callsOf(run.executionArn, run.startedAt, run.endedAt);

  // auto: a public bucket, fixed and verified.
  const autoBucket = uniqueName('bench-public-assets');
  await createBucketWithPolicy(s3, autoBucket);
  const autoEvent = accessAnalyzerEvent(autoBucket);
  const auto = await runOnce(stack, sfn, recorder, autoEvent);
  paths.push(costOf('auto', outcomeText(auto.result), auto.result.history, callsOf(auto), 'S3'));

  // approve: a production bucket (the rules ask first); costed up to the click and after it.
  const approveBucket = uniqueName('bench-prod-approve');
  await createBucketWithPolicy(s3, approveBucket);
  const approve = await runOnce(stack, sfn, recorder, accessAnalyzerEvent(approveBucket), {
    task: 'request-approval',
    bucket: approveBucket,
    actionId: SLACK_BUTTONS.approve,
    userId: 'U0APPROVER',
  });
  const clickedAt = approve.clickedAt!;
  const beforeClick = approve.result.history.filter((e) => (e.timestamp?.getTime() ?? 0) < clickedAt);
  const afterClick = approve.result.history.filter((e) => (e.timestamp?.getTime() ?? 0) >= clickedAt);
  const approveCalls = callsOf(approve);
  paths.push(costOf('approve (to click)', 'NEEDS_APPROVAL', beforeClick, approveCalls.filter((c) => c.at < clickedAt), 'S3'));
  paths.push(costOf('approve (after click)', outcomeText(approve.result), afterClick, approveCalls.filter((c) => c.at >= clickedAt), 'S3'));

  // escalate: the bucket is re-opened right after each fix (a pipeline with the old template); on-call acknowledges.
  const drifting = uniqueName('bench-drifting-site');
  await createBucketWithPolicy(s3, drifting);
  const stopDrift = recorder.afterCall(async (call) => {
    if (call.resource !== drifting || call.command !== 'PutPublicAccessBlock') return;
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: drifting }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: drifting, Policy: publicReadPolicy(drifting) }));
  });
  try {
    const escalate = await runOnce(stack, sfn, recorder, accessAnalyzerEvent(drifting), {
      task: 'escalate-to-on-call',
      bucket: drifting,
      actionId: SLACK_BUTTONS.acknowledge,
      userId: 'U0ONCALL',
    });
    paths.push(costOf('escalate', outcomeText(escalate.result), escalate.result.history, callsOf(escalate), 'S3'));
  } finally {
    stopDrift();
  }

  // ignore: the auto finding's same version delivered again (EventBridge is at-least-once).
  const ignore = await runOnce(stack, sfn, recorder, { ...autoEvent, id: 'redelivered' });
  paths.push(costOf('ignore', outcomeText(ignore.result), ignore.result.history, callsOf(ignore), 'S3'));

  // reject: a production bucket, the approver says no.
  const rejectBucket = uniqueName('bench-prod-reject');
  await createBucketWithPolicy(s3, rejectBucket);
  const reject = await runOnce(stack, sfn, recorder, accessAnalyzerEvent(rejectBucket), {
    task: 'request-approval',
    bucket: rejectBucket,
    actionId: SLACK_BUTTONS.reject,
    userId: 'U0APPROVER',
  });
  paths.push(costOf('reject', outcomeText(reject.result), reject.result.history, callsOf(reject), 'S3'));

  return {
    paths,
    // AWS's Automated Security Response on AWS, as the issue quotes it.
    reference: { name: 'Automated Security Response on AWS', transitions: 26, lambdaInvocations: 11, waitBeforeWriteSeconds: 5 },
  };
}

const progress = (what: string, done: number, of: number): void => {
  if (done % 10 === 0 || done === of) process.stderr.write(`  latency: ${done}/${of} ${what} runs\n`);
};

/** Time to the corrective write and to RESOLVED over `runs` automatic runs, and the approval path over `runs` clicks. */
export async function runLatency(stack: LocalStack, recorder: CallRecorder, runs: number): Promise<LatencyReport> {
  const s3 = new S3Client(stack.clientConfig);
  const sfn = new SFNClient(stack.clientConfig);
  const toWrite: number[] = [];
  const toResolved: number[] = [];
  const toEnd: number[] = [];
  const firstWrite = (run: Run, bucket: string): ApiCall | undefined => recorder.callsOf(run.executionArn, run.startedAt, run.endedAt).find((c) => c.resourceWrite && c.resource === bucket);
  const resolvedAt = (run: Run): number | undefined =>
    run.result.history.find((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'Record And Notify')?.timestamp?.getTime();
  const endAt = (run: Run): number | undefined => run.result.history.find((e) => e.type === 'ExecutionSucceeded')?.timestamp?.getTime();
  for (let i = 0; i < runs; i++) {
    const bucket = uniqueName('bench-auto');
    await createBucketWithPolicy(s3, bucket);
    const run = await runOnce(stack, sfn, recorder, accessAnalyzerEvent(bucket));
    const write = firstWrite(run, bucket);
    const resolved = resolvedAt(run);
    const ended = endAt(run);
    if (!write || !resolved || !ended || outcomeText(run.result) !== 'RESOLVED') throw new Error(`auto run ${i} did not resolve: ${outcomeText(run.result)}`);
    const started = startedAtOf(run);
    toWrite.push(write.at - started);
    toResolved.push(resolved - started);
    toEnd.push(ended - started);
    progress('auto', i + 1, runs);
  }
  const toRequest: number[] = [];
  const clickToWrite: number[] = [];
  const clickToResolved: number[] = [];
  for (let i = 0; i < runs; i++) {
    const bucket = uniqueName('bench-prod-latency');
    await createBucketWithPolicy(s3, bucket);
    const run = await runOnce(stack, sfn, recorder, accessAnalyzerEvent(bucket), { task: 'request-approval', bucket, actionId: SLACK_BUTTONS.approve, userId: 'U0APPROVER' });
    const posted = recorder.runs.find((r) => r.execution === run.executionArn && r.task === 'request-approval');
    const write = firstWrite(run, bucket);
    const resolved = resolvedAt(run);
    if (!posted || !write || !resolved || outcomeText(run.result) !== 'RESOLVED') throw new Error(`approval run ${i} did not resolve: ${outcomeText(run.result)}`);
    toRequest.push(posted.endedAt - startedAtOf(run));
    clickToWrite.push(write.at - run.clickedAt!);
    clickToResolved.push(resolved - run.clickedAt!);
    progress('approval', i + 1, runs);
  }
  return {
    rescanWaitSeconds: 0,
    auto: { runs, toCorrectiveWriteMs: spread(toWrite), toResolvedMs: spread(toResolved), toEndMs: spread(toEnd) },
    approval: { runs, toApprovalRequestMs: spread(toRequest), clickToCorrectiveWriteMs: spread(clickToWrite), clickToResolvedMs: spread(clickToResolved) },
  };
}

export function printWorkflowCost(report: WorkflowCostReport): void {
  const rows = report.paths.map((p) => [
    p.path,
    p.outcome,
    String(p.transitions),
    String(p.lambdaInvocations),
    p.invocationsToWrite === null ? '-' : String(p.invocationsToWrite),
    String(p.awsCalls),
    String(p.resourceCalls),
    p.minimumCalls ? String(p.minimumCalls) : '-',
    p.ratio === null ? '-' : p.ratio.toFixed(1),
    p.expected.matches ? `yes (${p.expected.transitions}/${p.expected.lambdaInvocations})` : `NO (ASL says ${p.expected.transitions}/${p.expected.lambdaInvocations})`,
    Object.entries(p.awsCallsByService).map(([s, n]) => `${s} ${n}`).join(', '),
  ]);
  const r = report.reference;
  rows.push([`reference: ${r.name}`, '', String(r.transitions), String(r.lambdaInvocations), '', '', '', '', '', '', `fixed ${r.waitBeforeWriteSeconds} s wait before its write`]);
  out('workflow cost per path (one execution each, local stack)');
  out(table(['path', 'outcome', 'states', 'Lambda inv.', 'inv. to write', 'AWS calls', 'S3 calls', 'minimum', 'ratio', 'as ASL (states/inv.)', 'calls by service'], rows, (i) => i >= 2 && i <= 8));
  out('states = states entered (Step Functions bills each as a transition); inv. to write = Lambda invocations up to and including the one that writes;');
  out('minimum = read + write + verify of the resource; ratio = AWS calls / minimum; "as ASL" = the states entered equal the path read by hand from the ASL.');
  for (const p of report.paths) out(`  ${p.path}: ${p.states.join(' > ')}  | calls by task: ${Object.entries(p.awsCallsByTask).map(([t, n]) => `${t} ${n}`).join(', ')}`);
}

export function printLatency(report: LatencyReport): void {
  const row = (name: string, s: Spread): string[] => [name, String(s.median), String(s.p95), String(s.min), String(s.max), String(s.n)];
  out(`time on the local stack (rescan wait ${report.rescanWaitSeconds} s), ms`);
  out(
    table(
      ['interval', 'median', 'p95', 'min', 'max', 'runs'],
      [
        row('auto: start -> corrective write', report.auto.toCorrectiveWriteMs),
        row('auto: start -> RESOLVED (verified)', report.auto.toResolvedMs),
        row('auto: start -> execution ended', report.auto.toEndMs),
        row('approve: start -> approval request posted', report.approval.toApprovalRequestMs),
        row('approve: click -> corrective write', report.approval.clickToCorrectiveWriteMs),
        row('approve: click -> RESOLVED (verified)', report.approval.clickToResolvedMs),
      ],
    ),
  );
}
