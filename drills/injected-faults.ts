/**
 * Drill: throttling, denial and a function stopped mid-call (Lambda's timeout)
 * at every AWS call of the apply and rollback paths of s3-deny-all-bucket-policy
 * leave no half state unreported; a stop is finished by the retry.
 *
 * One run, with no fault, records the calls the remediate function makes for
 * one execution: Apply Corrective Control, then — the bucket is re-opened by a
 * "pipeline" just before Check Resolution, the fix does not take, on-call
 * clicks Roll back — Roll Back Change. Then, for each of those calls (by
 * operation, command and occurrence) and each fault (ThrottlingException,
 * AccessDenied), a fresh bucket goes through the same path with that one call
 * failed once. After each execution ends, every change record of the bucket
 * must describe the live bucket (policy and Block Public Access): APPLIED →
 * `after`, FAILED / ROLLED_BACK → `before`, or the `live` state the record
 * stored after a failed restore; a bucket changed without a record fails; a
 * completed rollback must have saved the drifted policy in rollbackOverwrote.
 * Only when the injected denial hit the write of the change record itself may
 * the record lag behind, and then the bucket must be in one whole state and
 * the execution must end FAILED.
 */
import { beforeInvoke } from './attribution';
import type { CallRecord, FaultKind, FaultRule } from './faults';
import { APPROVER, bucketName, inBatches, normalizeStoredBlock, publicReadPolicy, uniqueName, type Drill, type DrillContext, type DrillOutcome } from './harness';
import { accessAnalyzerEvent } from './samples';
import { describePolicy, disagreement } from './verdicts';

const KINDS: readonly FaultKind[] = ['throttle', 'denied', 'stop'];
const PARALLEL = 6;
/**
 * The remediate function's timeout during this drill (serverless.yml: 60 s). A `stop` fault holds its call until
 * the host times the invocation out, as Lambda stops a function mid-call; a short timeout keeps the drill short.
 */
const STOP_TIMEOUT_SECONDS = 5;

interface CallSite {
  operation: string;
  client: string;
  command: string;
  /** 1-based occurrence of this (operation, client, command) within the execution. */
  nth: number;
}

const siteName = (site: CallSite): string => `${site.operation}:${site.client}.${site.command}#${site.nth}`;

interface CaseResult {
  ended: string;
  states: string[];
  problems: string[];
  calls: CallRecord[];
}

/** One bucket through apply → drift → escalation → Roll back, with at most one fault aimed at its execution. */
async function runCase(ctx: DrillContext, fault: { site: CallSite; kind: FaultKind } | null): Promise<CaseResult> {
  const bucket = bucketName('faults');
  const original = publicReadPolicy(bucket, 'OriginalPublicRead');
  const drifted = publicReadPolicy(bucket, 'DriftedByPipeline');
  await ctx.createBucket(bucket, original);
  const initial = await ctx.bucketState(bucket);
  const name = uniqueName('drill-faults');
  const executionArn = ctx.executionArnOf(name);
  const event = accessAnalyzerEvent(bucket);
  const findingId = String((event.detail as { id: string }).id);

  let reopened = false;
  const removeHook = beforeInvoke(async (invocation) => {
    if (invocation.fn === 'verify' && invocation.execution === executionArn && !reopened) {
      reopened = true;
      await ctx.reopen(bucket, drifted);
    }
  });
  let rule: FaultRule | undefined;
  if (fault) {
    const { site, kind } = fault;
    rule = ctx.faults.inject({
      kind,
      nth: site.nth,
      match: (call) =>
        call.invocation.fn === 'remediate' &&
        call.invocation.execution === executionArn &&
        call.invocation.operation === site.operation &&
        call.client === site.client &&
        call.command === site.command,
    });
  }
  const problems: string[] = [];
  let ended = 'unknown';
  let states: string[] = [];
  try {
    await ctx.start(event, 'drill-faults', name);
    let result = (await ctx.followAll([executionArn], { timeoutMs: 90_000, until: (s) => s.includes('Escalate To On-Call') })).get(executionArn)!;
    if (result.status === 'RUNNING') {
      const approvalId = await ctx.waitForApproval(findingId, 'on-call');
      const click = await ctx.click({ action: 'rollback', approvalId, userId: APPROVER });
      if (click.status !== 200) problems.push(`Roll back click answered ${click.status}: ${click.body}`);
      result = (await ctx.followAll([executionArn], { timeoutMs: 90_000 })).get(executionArn)!;
    }
    ended = `${result.status}${result.error ? ` ${result.error}` : ''}`;
    states = result.states;
    if (result.status === 'RUNNING' || result.status === 'TIMED_OUT_WAITING') problems.push(`execution did not end (last state ${result.states.at(-1)})`);
  } catch (error) {
    problems.push(`drill could not drive the execution: ${(error as Error).message}`);
  } finally {
    removeHook();
    await ctx.stopIfRunning(executionArn);
  }

  const live = await ctx.bucketState(bucket);
  const records = await ctx.changesFor(`arn:aws:s3:::${bucket}`);
  if (records.length === 0) {
    const expected = reopened ? null : initial;
    if (expected && (live.policy !== expected.policy || live.publicAccessBlock !== expected.publicAccessBlock)) {
      problems.push(`bucket changed without a change record: policy ${describePolicy(live.policy)}, Block Public Access ${live.publicAccessBlock ?? 'none'}`);
    }
  }
  // A denied read or write of the change record itself cannot be reflected in that record: then the bucket must be in
  // one whole state (as it was, the fix, or as the pipeline left it — never a mix) and the execution must end FAILED.
  const recordWriteDenied = fault?.kind === 'denied' && fault.site.client === 'DynamoDB' && ['UpdateItem', 'PutItem', 'GetItem'].includes(fault.site.command);
  const wholeStates = [initial, { policy: drifted, publicAccessBlock: null }, ...records.map((r) => afterState(r))];
  const whole = wholeStates.some((s) => s.policy === live.policy && s.publicAccessBlock === live.publicAccessBlock);
  for (const record of records) {
    const problem = disagreement(record, live);
    if (problem && !(recordWriteDenied && whole && ended.startsWith('FAILED'))) problems.push(problem);
    if (record.status === 'ROLLED_BACK') {
      const overwrote = (record.rollbackOverwrote ?? {}) as { policy?: unknown };
      if (overwrote.policy !== drifted) problems.push(`rolled back without saving the drifted policy: rollbackOverwrote.policy ${describePolicy(overwrote.policy)}`);
    }
  }
  if (rule && rule.fired === 0) problems.push('the fault was never reached (the call sequence changed)');
  const calls = ctx.faults.calls.filter((c) => c.invocation.execution === executionArn && c.invocation.fn === 'remediate');
  return { ended, states, problems, calls };
}

function afterState(record: Record<string, unknown>): { policy: string | null; publicAccessBlock: string | null } {
  const after = (record.after ?? {}) as Record<string, unknown>;
  return { policy: (after.policy as string | null | undefined) ?? null, publicAccessBlock: normalizeStoredBlock(after.publicAccessBlock) };
}

/** The call sites of a clean run, in order. */
function callSites(calls: CallRecord[]): CallSite[] {
  const counts = new Map<string, number>();
  return calls.map((call) => {
    const operation = call.invocation.operation ?? 'unknown';
    const key = `${operation}:${call.client}.${call.command}`;
    const nth = (counts.get(key) ?? 0) + 1;
    counts.set(key, nth);
    return { operation, client: call.client, command: call.command, nth };
  });
}

export const injectedFaults: Drill = {
  name: 'injected-faults',
  timeoutMs: 360_000,
  async run(ctx): Promise<DrillOutcome> {
    const clean = await runCase(ctx, null);
    const failures: string[] = [];
    const notes: string[] = [];
    if (clean.problems.length) failures.push(...clean.problems.map((p) => `clean run: ${p}`));
    if (!clean.states.includes('Roll Back Change')) failures.push(`clean run did not reach Roll Back Change (${clean.ended}): the rollback path is not covered`);
    const sites = callSites(clean.calls);
    notes.push(`clean run (${clean.ended}) made ${sites.length} calls: ${sites.map(siteName).join(', ')}`);
    const cases = sites.flatMap((site) => KINDS.map((kind) => ({ site, kind })));
    const ends = new Map<string, number>();
    const stopsRecovered = { of: 0, recovered: 0 };
    ctx.timeouts.set('remediate', STOP_TIMEOUT_SECONDS);
    try {
      await inBatches(cases, PARALLEL, async (fault) => {
        const result = await runCase(ctx, fault);
        ends.set(result.ended, (ends.get(result.ended) ?? 0) + 1);
        for (const problem of result.problems) failures.push(`${fault.kind} at ${siteName(fault.site)} (${result.ended}): ${problem}`);
        if (fault.kind !== 'stop') return;
        // Lambda stopped the function mid-call; the state machine's retry must finish the job as if nothing happened.
        stopsRecovered.of += 1;
        if (result.ended === clean.ended && result.problems.length === 0) stopsRecovered.recovered += 1;
        else failures.push(`stop at ${siteName(fault.site)}: ended ${result.ended}, a clean run ends ${clean.ended} (states: ${result.states.join(' → ')})`);
      });
    } finally {
      ctx.timeouts.delete('remediate');
    }
    notes.push(`${cases.length} faulted executions ended: ${[...ends].map(([e, n]) => `${n} ${e}`).join(', ')}`);
    notes.push(`${stopsRecovered.recovered} of ${stopsRecovered.of} invocations stopped mid-call (Sandbox.Timedout after ${STOP_TIMEOUT_SECONDS} s) were finished by the retry as a clean run ends`);
    return { tries: cases.length, failures, notes };
  },
};
