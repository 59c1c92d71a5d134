/**
 * Drill: racing humans. (1) The same approval clicked Approve 5 times in
 * parallel; (2) Approve and Reject clicked at the same moment by two
 * approvers — each must give exactly one decision (one 200) and exactly one
 * resume of the execution. (3) SendTaskSuccess throttled during the click:
 * the person clicks again and the execution resumes. (4) Two rollbacks of one
 * change at once through the remediate function, after the bucket policy
 * drifted: one rollback, the drifted policy saved in rollbackOverwrote, the
 * original policy back.
 */
import { isResourceWrite } from './faults';
import {
  APPROVER,
  SECOND_APPROVER,
  bucketName,
  publicReadPolicy,
  type Drill,
  type DrillContext,
  type DrillOutcome,
} from './harness';
import { accessAnalyzerEvent } from './samples';
import { describePolicy } from './verdicts';

const PARALLEL_CLICKS = 5;
const ROLLBACK_RACES = 4;

/** A production bucket (approve rule) waiting in Request Approval: its approval id and task token. */
async function pendingApproval(ctx: DrillContext): Promise<{ bucket: string; executionArn: string; approvalId: string; taskToken: string }> {
  const bucket = bucketName('race-prod');
  await ctx.createBucket(bucket);
  const event = accessAnalyzerEvent(bucket);
  const executionArn = await ctx.start(event, 'drill-race');
  const approvalId = await ctx.waitForApproval(String((event.detail as { id: string }).id), 'approval');
  const approval = await ctx.getApproval(approvalId);
  return { bucket, executionArn, approvalId, taskToken: String(approval?.taskToken ?? '') };
}

async function parallelApproves(ctx: DrillContext): Promise<string[]> {
  const { bucket, executionArn, approvalId, taskToken } = await pendingApproval(ctx);
  const since = Date.now();
  const answers = await Promise.all(Array.from({ length: PARALLEL_CLICKS }, () => ctx.click({ action: 'approve', approvalId, userId: APPROVER })));
  const end = (await ctx.followAll([executionArn], { timeoutMs: 60_000 })).get(executionArn)!;
  await ctx.stopIfRunning(executionArn);
  const problems: string[] = [];
  const ok = answers.filter((a) => a.status === 200).length;
  const resumes = ctx.faults.resumesOf(taskToken, since).length;
  const puts = ctx.faults.callsSince(since, (c) => c.target === bucket && c.command === 'PutBucketPolicy').length;
  if (ok !== 1) problems.push(`${PARALLEL_CLICKS} parallel Approve clicks: ${ok} answered 200 (${answers.map((a) => a.status).join(', ')}), expected exactly 1`);
  if (resumes !== 1) problems.push(`${PARALLEL_CLICKS} parallel Approve clicks: ${resumes} resumes, expected exactly 1`);
  if (puts !== 1) problems.push(`${PARALLEL_CLICKS} parallel Approve clicks: ${puts} PutBucketPolicy, expected exactly 1 (execution ${end.status})`);
  return problems;
}

async function approveVersusReject(ctx: DrillContext): Promise<string[]> {
  const { executionArn, approvalId, taskToken } = await pendingApproval(ctx);
  const since = Date.now();
  const answers = await Promise.all([
    ctx.click({ action: 'approve', approvalId, userId: APPROVER }),
    ctx.click({ action: 'reject', approvalId, userId: SECOND_APPROVER }),
  ]);
  await ctx.followAll([executionArn], { timeoutMs: 60_000 });
  await ctx.stopIfRunning(executionArn);
  const problems: string[] = [];
  const ok = answers.filter((a) => a.status === 200).length;
  const resumes = ctx.faults.resumesOf(taskToken, since).length;
  if (ok !== 1) problems.push(`Approve vs Reject: ${ok} answered 200 (${answers.map((a) => a.status).join(', ')}), expected exactly 1`);
  if (resumes !== 1) problems.push(`Approve vs Reject: ${resumes} resumes, expected exactly 1`);
  return problems;
}

async function throttledResume(ctx: DrillContext): Promise<string[]> {
  const { bucket, executionArn, approvalId, taskToken } = await pendingApproval(ctx);
  const target = `token:${taskToken.slice(-12)}`;
  // Every SendTaskSuccess of this click fails (also the handler's own retries): the resume cannot happen now.
  const rule = ctx.faults.inject({
    kind: 'throttle',
    nth: 1,
    times: 1_000,
    match: (call) => call.invocation.fn === 'slackInteraction' && call.command === 'SendTaskSuccess' && call.target === target,
  });
  const first = await ctx.click({ action: 'approve', approvalId, userId: APPROVER });
  ctx.faults.removeRule(rule);
  const second = await ctx.click({ action: 'approve', approvalId, userId: APPROVER });
  const end = (await ctx.followAll([executionArn], { timeoutMs: 60_000 })).get(executionArn)!;
  await ctx.stopIfRunning(executionArn);
  const problems: string[] = [];
  if (rule.fired === 0) problems.push('throttled resume: the click never called SendTaskSuccess');
  if (first.status === 200) problems.push('throttled resume: the click whose resume failed was answered 200 (the person is told it worked)');
  if (second.status !== 200) problems.push(`throttled resume: clicking again was answered ${second.status} (${second.body.slice(0, 100)}), expected 200`);
  if (!end.states.includes('Apply Corrective Control')) problems.push(`throttled resume: the execution did not resume into Apply Corrective Control (${end.status}, last state ${end.states.at(-1)})`);
  const live = await ctx.bucketState(bucket);
  if (end.states.includes('Apply Corrective Control') && !live.policy?.includes('"Deny"')) problems.push('throttled resume: the approved change was not written');
  return problems;
}

/** One auto-remediated bucket, its policy drifted, then two rollbacks of its change at once. */
async function racingRollbacks(ctx: DrillContext): Promise<string[]> {
  const bucket = bucketName('race-rollback');
  const original = publicReadPolicy(bucket, 'OriginalPublicRead');
  await ctx.createBucket(bucket, original);
  const executionArn = await ctx.start(accessAnalyzerEvent(bucket), 'drill-rollback');
  const result = (await ctx.followAll([executionArn], { timeoutMs: 60_000 })).get(executionArn)!;
  if (result.status !== 'SUCCEEDED') return [`racing rollbacks: the remediation itself ended ${result.status} ${result.error ?? ''}`];
  const description = await ctx.describe(executionArn);
  const state = (description.output ? JSON.parse(description.output) : {}) as Record<string, unknown>;
  // Someone edits the fixed policy (not public, so Block Public Access lets it in).
  const drifted = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'DriftedAfterFix', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ctx.stack.accountId}:role/app` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
  });
  await ctx.putPolicy(bucket, drifted);
  const since = Date.now();
  const rollback = (who: string) =>
    ctx.invoke('remediate', { task: 'roll-back-change', execution: executionArn, state: { ...state, escalation: { outcome: 'ROLL_BACK', decidedBy: who } } });
  const answers = await Promise.all([rollback(APPROVER), rollback(SECOND_APPROVER)]);
  const problems: string[] = [];
  const succeeded = answers.filter((a) => a.ok).length;
  const restores = ctx.faults.callsSince(since, (c) => c.target === bucket && c.invocation.operation === 'roll-back-change' && isResourceWrite(c) && c.command === 'PutBucketPolicy');
  const records = await ctx.changesFor(`arn:aws:s3:::${bucket}`);
  const record = records[0] ?? {};
  const overwrote = (record.rollbackOverwrote ?? {}) as { policy?: unknown };
  const live = await ctx.bucketState(bucket);
  if (restores.length !== 1) problems.push(`racing rollbacks: ${restores.length} restores of the policy, expected exactly 1 (${succeeded} of 2 rollbacks succeeded)`);
  if (record.status !== 'ROLLED_BACK') problems.push(`racing rollbacks: record is ${String(record.status)}, expected ROLLED_BACK`);
  if (overwrote.policy !== drifted) problems.push(`racing rollbacks: the drifted policy was lost — rollbackOverwrote.policy is ${describePolicy(overwrote.policy)}`);
  if (live.policy !== original) problems.push(`racing rollbacks: the bucket policy is ${describePolicy(live.policy)}, expected the original back`);
  return problems;
}

export const racingClicks: Drill = {
  name: 'racing-clicks',
  timeoutMs: 150_000,
  async run(ctx): Promise<DrillOutcome> {
    const scenarios: [string, () => Promise<string[]>][] = [
      ['parallel approves', () => parallelApproves(ctx)],
      ['approve vs reject', () => approveVersusReject(ctx)],
      ['throttled resume', () => throttledResume(ctx)],
      ...Array.from({ length: ROLLBACK_RACES }, (_, i): [string, () => Promise<string[]>] => [`racing rollbacks ${i + 1}`, () => racingRollbacks(ctx)]),
    ];
    const results = await Promise.all(
      scenarios.map(([name, run]) => run().catch((error: Error) => [`${name}: drill could not run it: ${error.message}`])),
    );
    return {
      tries: scenarios.length,
      failures: results.flat(),
      notes: [`${scenarios.length} races at once: ${PARALLEL_CLICKS} parallel Approves, Approve vs Reject, a throttled resume, ${ROLLBACK_RACES} rollback races (remediate function, invoked twice at once)`],
    };
  },
};
