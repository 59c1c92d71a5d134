/**
 * Drill: the manual path refuses a requester it cannot prove. Manual requests
 * as `remediate run` sends them today (source remediator.manual, a typed
 * `requestedBy`, no proof of identity) — also with identity-looking fields
 * typed in — are started through StartExecution against a public bucket.
 * Each must end refused (UnauthorizedRequesterError, or the event refused as
 * unsupported or invalid), with the refusal recorded in the audit table, no
 * corrective-control state entered, no resource write, the bucket unchanged.
 */
import { manualRequestEvent } from '../lib/cli/commands';
import { isResourceWrite } from './faults';
import { bucketName, type Drill, type DrillOutcome } from './harness';
import { LOCAL_ACCOUNT, manualEvent } from './samples';
import { ACTING_STATES } from './verdicts';

const REFUSALS = new Set(['UnauthorizedRequesterError', 'UnsupportedEventError', 'InvalidEventError']);

export const manualRequester: Drill = {
  name: 'manual-requester',
  timeoutMs: 90_000,
  async run(ctx): Promise<DrillOutcome> {
    const since = Date.now();
    const bucket = bucketName('manual');
    const prodBucket = bucketName('manual-prod');
    await ctx.createBucket(bucket);
    await ctx.createBucket(prodBucket);
    const initial = [await ctx.bucketState(bucket), await ctx.bucketState(prodBucket)];
    const requests: [string, unknown][] = [
      ['as remediate run builds it', manualRequestEvent({ controlId: 's3-deny-all-bucket-policy', resourceArn: `arn:aws:s3:::${bucket}`, requestedBy: 'cli:alice', account: LOCAL_ACCOUNT, region: 'us-east-1' })],
      ['typed e-mail, mode auto', manualEvent(bucket, { requestedBy: 'alice@example.com', mode: 'auto' })],
      ['typed role ARN', manualEvent(bucket, { requestedBy: `arn:aws:iam::${LOCAL_ACCOUNT}:role/BreakGlassAdmin` })],
      ['typed identity object', manualEvent(bucket, { identity: { arn: `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/Admin/alice`, account: LOCAL_ACCOUNT } })],
      ['typed caller identity', manualEvent(bucket, { callerIdentity: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/alice`, Account: LOCAL_ACCOUNT, UserId: 'AIDAEXAMPLE' } })],
      ['approve mode on a production bucket', manualEvent(prodBucket, { mode: 'approve' })],
    ];
    const failures: string[] = [];
    const started: [string, string][] = [];
    for (const [label, event] of requests) started.push([label, await ctx.start(event, 'drill-manual')]);
    const results = await ctx.followAll(
      started.map(([, arn]) => arn),
      { timeoutMs: 60_000, until: (states) => states.some((s) => ACTING_STATES.has(s)) },
    );
    const ends: string[] = [];
    for (const [label, executionArn] of started) {
      await ctx.stopIfRunning(executionArn);
      const result = results.get(executionArn)!;
      const acted = result.states.filter((s) => ACTING_STATES.has(s));
      const outcome = await ctx.outcomeOf(executionArn);
      const recorded = outcome?.error as { Error?: unknown; name?: unknown } | string | undefined;
      const error = String((typeof recorded === 'object' ? (recorded?.Error ?? recorded?.name) : recorded) ?? result.error ?? 'none');
      ends.push(`${result.status} ${error}`);
      if (acted.length) failures.push(`${label}: not refused — entered ${acted.join(', ')}`);
      else if (!REFUSALS.has(error)) failures.push(`${label}: ended ${result.status} with ${error}, expected a refusal (${[...REFUSALS].join(' / ')})`);
      if (!acted.length && !outcome) failures.push(`${label}: no outcome recorded in the audit table`);
      const writes = ctx.faults.calls.filter((c) => c.invocation.execution === executionArn && isResourceWrite(c));
      if (writes.length) failures.push(`${label}: ${writes.length} resource writes (${writes.map((w) => w.command).join(', ')})`);
    }
    const after = [await ctx.bucketState(bucket), await ctx.bucketState(prodBucket)];
    after.forEach((state, i) => {
      if (state.policy !== initial[i]!.policy || state.publicAccessBlock !== initial[i]!.publicAccessBlock) failures.push(`bucket ${i === 0 ? bucket : prodBucket} changed`);
    });
    const writes = ctx.faults.callsSince(since, isResourceWrite).length;
    return { tries: requests.length, failures, notes: [`${requests.length} manual requests without proof through StartExecution ended: ${ends.join(', ')}; resource writes ${writes}`] };
  },
};
