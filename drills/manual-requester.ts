/**
 * Drill: the manual path refuses a requester it cannot prove. Manual requests
 * as `remediate run` sends them today (source remediator.manual, a typed
 * `requestedBy`, no proof of identity) — also with identity-looking fields
 * typed in — are started through StartExecution against a public bucket.
 * Each must end refused (UnauthorizedRequesterError, or the event refused as
 * unsupported or invalid), with the refusal recorded in the audit table, no
 * corrective-control state entered, no resource write, the bucket unchanged.
 * Forged proofs too: a real signed proof replayed from another request, one
 * naming a foreign STS endpoint (moto's STS does not check signatures,
 * so an edited signature cannot be drilled locally). As a control,
 * a correctly signed request (lib/requests/identity.ts) must get through.
 */
import { randomBytes } from 'node:crypto';
import { manualRequestEvent } from '../cli/manual-request';
import { requestDigest, signIdentityProof } from '../lib/requests/identity';
import { isResourceWrite } from './faults';
import { bucketName, type Drill, type DrillOutcome } from './harness';
import { LOCAL_ACCOUNT, manualEvent } from './samples';
import { ACTING_STATES } from './verdicts';

/** As the CLI makes them: 32 hex digits. */
const newNonce = (): string => randomBytes(16).toString('hex');

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
    const base = { controlId: 's3-deny-all-bucket-policy', account: LOCAL_ACCOUNT, region: 'us-east-1' };
    const intentFor = (resourceArn: string, nonce: string) => ({ resourceArn, controlId: base.controlId, nonce });
    // A real proof, signed with the stack's credentials for a request about another bucket: replayed onto ours.
    const otherNonce = newNonce();
    const otherProof = await signIdentityProof({
      credentials: ctx.stack.clientConfig.credentials,
      region: 'us-east-1',
      endpoint: ctx.stack.endpoint,
      digest: requestDigest(intentFor('arn:aws:s3:::some-other-bucket', otherNonce)),
    });
    const nonce = newNonce();
    const proofForOurs = await signIdentityProof({
      credentials: ctx.stack.clientConfig.credentials,
      region: 'us-east-1',
      endpoint: ctx.stack.endpoint,
      digest: requestDigest(intentFor(`arn:aws:s3:::${bucket}`, nonce)),
    });
    const requests: [string, unknown][] = [
      ['as remediate run builds it, without the signed identity', manualRequestEvent({ ...base, resourceArn: `arn:aws:s3:::${bucket}`, nonce: newNonce() })],
      ['typed requestedBy e-mail, mode auto', manualEvent(bucket, { requestedBy: 'alice@example.com', mode: 'auto' })],
      ['typed requestedBy role ARN', manualEvent(bucket, { requestedBy: `arn:aws:iam::${LOCAL_ACCOUNT}:role/BreakGlassAdmin` })],
      ['typed identity object', manualEvent(bucket, { identity: { arn: `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/Admin/alice`, account: LOCAL_ACCOUNT } })],
      ['approve mode on a production bucket, no proof', manualEvent(prodBucket, { mode: 'approve' })],
      ['a real proof replayed from a request about another bucket', manualRequestEvent({ ...base, resourceArn: `arn:aws:s3:::${bucket}`, nonce: otherNonce, identity: otherProof })],
      ['a proof naming an STS endpoint that is not this deployment\'s', manualRequestEvent({ ...base, resourceArn: `arn:aws:s3:::${bucket}`, nonce, identity: { ...proofForOurs, url: 'https://sts.attacker.example/' } })],
      // An edited signature is not drilled: moto's STS answers GetCallerIdentity without checking SigV4, so only real STS can refuse it.
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
    // The control: a correctly signed request must still get through, or the refusals above prove nothing.
    const provenBucket = bucketName('manual-proven');
    await ctx.createBucket(provenBucket);
    const provenNonce = newNonce();
    const provenProof = await signIdentityProof({
      credentials: ctx.stack.clientConfig.credentials,
      region: 'us-east-1',
      endpoint: ctx.stack.endpoint,
      digest: requestDigest(intentFor(`arn:aws:s3:::${provenBucket}`, provenNonce)),
    });
    const proven = await ctx.start(manualRequestEvent({ ...base, resourceArn: `arn:aws:s3:::${provenBucket}`, nonce: provenNonce, identity: provenProof }), 'drill-manual-proven');
    const provenEnd = (await ctx.followAll([proven], { timeoutMs: 60_000, until: (states) => states.includes('Apply Corrective Control') })).get(proven)!;
    await ctx.followAll([proven], { timeoutMs: 30_000 });
    await ctx.stopIfRunning(proven);
    if (!provenEnd.states.includes('Apply Corrective Control')) failures.push(`control: a correctly signed request was refused too (${provenEnd.status} ${provenEnd.error ?? ''}): the refusals prove nothing`);
    const after = [await ctx.bucketState(bucket), await ctx.bucketState(prodBucket)];
    after.forEach((state, i) => {
      if (state.policy !== initial[i]!.policy || state.publicAccessBlock !== initial[i]!.publicAccessBlock) failures.push(`bucket ${i === 0 ? bucket : prodBucket} changed`);
    });
    const writes = ctx.faults.callsSince(since, (c) => isResourceWrite(c) && c.target !== provenBucket).length;
    return { tries: requests.length, failures, notes: [`${requests.length} manual requests without proof through StartExecution ended: ${ends.join(', ')}; resource writes ${writes}`] };
  },
};
