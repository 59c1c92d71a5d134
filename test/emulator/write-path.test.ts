/**
 * The write path's guarantees against the emulator's S3 and DynamoDB, with
 * faults injected in process (test/support/faults.ts): one change per
 * exposure, an idempotent apply, the approved plan or nothing, racing
 * rollbacks that lose nothing, and a record that says what is really there
 * after a double fault.
 */
import { CreateBucketCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { applyChange, planChange, rollbackChange, type ApprovedPlan } from '../../lib/controls/runner';
import { sameState } from '../../lib/controls/state';
import type { ControlContext } from '../../lib/controls/types';
import { publicReadPolicy, uniqueName } from '../../local/fixtures';
import { pendingChangeRecord } from '../support/change-record';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';
import { commandsOf, injectFaults, type FaultInjector } from '../support/faults';

const stack = useLocalStack();
const s3 = new S3Client(stack.clientConfig);
const CONTROL = 's3-deny-all-bucket-policy';
let injector: FaultInjector | undefined;

afterEach(() => injector?.remove());

/** A fresh context whose clients are built after the injector, so its faults apply. */
function context(bucket: string): ControlContext {
  return controlContextFor(stack, `arn:aws:s3:::${bucket}`, 'AWS::S3::Bucket');
}
const store = () => new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const executionArn = (name: string) => `arn:aws:states:us-east-1:${stack.accountId}:execution:remediator:${name}`;

async function publicBucket(): Promise<{ bucket: string; policy: string }> {
  const bucket = uniqueName('wp');
  const policy = publicReadPolicy(bucket);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
  return { bucket, policy };
}

const policyOf = (bucket: string) =>
  s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
    (r) => r.Policy ?? null,
    (e: Error) => (e.name === 'NoSuchBucketPolicy' ? null : Promise.reject(e)),
  );
const blockOf = (bucket: string) =>
  s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })).then(
    (r) => (r.PublicAccessBlockConfiguration ? JSON.stringify(r.PublicAccessBlockConfiguration) : null),
    (e: Error) => (e.name === 'NoSuchPublicAccessBlockConfiguration' ? null : Promise.reject(e)),
  );

function apply(bucket: string, name: string, extra: { approvedPlan?: ApprovedPlan; audit?: AuditStore } = {}) {
  return applyChange({ controlId: CONTROL, ctx: context(bucket), store: extra.audit ?? store(), changeId: name, executionArn: executionArn(name), actor: 'auto', ...(extra.approvedPlan ? { approvedPlan: extra.approvedPlan } : {}) });
}

describe('one change per exposure', () => {
  it('lets one of several executions racing for one bucket write; the others wait, then find it fixed and point at the first', async () => {
    const { bucket } = await publicBucket();
    injector = injectFaults();
    const names = [uniqueName('race'), uniqueName('race'), uniqueName('race'), uniqueName('race')];
    const first = await Promise.allSettled(names.map((name) => apply(bucket, name)));
    const won = first.filter((r) => r.status === 'fulfilled' && r.value.status === 'REMEDIATED');
    const busy = first.filter((r) => r.status === 'rejected' && (r.reason as Error).name === 'ResourceBusyError');
    expect(won).toHaveLength(1);
    expect(won.length + busy.length + first.filter((r) => r.status === 'fulfilled' && r.value.status === 'NOT_APPLICABLE').length).toBe(4);

    // What the state machine's Retry does for the busy ones: try again once the lease is free.
    const winner = names[first.findIndex((r) => r.status === 'fulfilled' && r.value.status === 'REMEDIATED')]!;
    for (const [index, result] of first.entries()) {
      if (result.status !== 'rejected') continue;
      const again = await apply(bucket, names[index]!);
      expect(again).toMatchObject({ status: 'NOT_APPLICABLE', handledBy: executionArn(winner) });
    }
    expect(commandsOf(injector, ['PutBucketPolicyCommand'])).toHaveLength(1);
  });
});

describe('an idempotent apply', () => {
  it('completes its own record when a retry follows a write whose APPLIED mark failed, without writing again', async () => {
    const { bucket } = await publicBucket();
    const name = uniqueName('retry');
    injector = injectFaults([{ command: 'UpdateItemCommand', when: (input) => (input.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[':status'] === 'APPLIED', nth: 1, error: 'ThrottlingException' }]);
    await expect(apply(bucket, name)).rejects.toMatchObject({ name: 'TransientAwsError' });
    expect((await store().getChange(name))?.status).toBe('PENDING');

    const retried = await apply(bucket, name);

    expect(retried).toMatchObject({ status: 'REMEDIATED', changeId: name });
    expect((await store().getChange(name))?.status).toBe('APPLIED');
    expect(commandsOf(injector, ['PutBucketPolicyCommand'])).toHaveLength(1);
  });
});

describe('an apply stopped between its writes (Lambda timed out, the container was lost)', () => {
  it('is finished by the retry: it saves what it found, writes only the rest, and the rollback still restores the original byte for byte', async () => {
    const { bucket, policy } = await publicBucket();
    const name = uniqueName('cut');
    const plan = await planChange(CONTROL, context(bucket));
    await store().createChange(pendingChangeRecord(context(bucket), CONTROL, name, executionArn(name), plan));
    // The first of the control's two writes landed; the container stopped before Block Public Access.
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: plan.after.policy ?? '' }));
    injector = injectFaults();

    const retried = await apply(bucket, name);

    expect(retried).toMatchObject({ status: 'REMEDIATED', changeId: name, reason: expect.stringMatching(/stopped part-way/) });
    const record = await store().getChange(name);
    expect(record?.status).toBe('APPLIED');
    expect(sameState(record!.resumedFrom!, { policy: plan.after.policy ?? null, publicAccessBlock: plan.before.publicAccessBlock ?? null })).toBe(true);
    expect(sameState({ policy: await policyOf(bucket), publicAccessBlock: await blockOf(bucket) }, plan.after)).toBe(true);
    expect(commandsOf(injector, ['PutPublicAccessBlockCommand'])).toHaveLength(1);

    await rollbackChange({ ctx: context(bucket), store: store(), changeId: name, actor: 'cli:x', holder: executionArn(`undo-${name}`) });
    expect(await policyOf(bucket)).toBe(policy);
    expect(await blockOf(bucket)).toBe(plan.before.publicAccessBlock ?? null);
  });

  it('writes nothing when someone else changed the resource meanwhile, and stores what is there', async () => {
    const control = 's3-remove-external-statements';
    const { bucket } = await publicBucket();
    const name = uniqueName('cut-drift');
    const plan = await planChange(control, context(bucket));
    await store().createChange(pendingChangeRecord(context(bucket), control, name, executionArn(name), plan));
    // Not our write: another public statement, on another prefix. Planned afresh, the fix would differ from the record.
    const drifted = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Other', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/other/*` }] });
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: drifted }));
    injector = injectFaults();

    await expect(applyChange({ controlId: control, ctx: context(bucket), store: store(), changeId: name, executionArn: executionArn(name), actor: 'auto' })).rejects.toMatchObject({
      name: 'ControlFailedError',
      message: expect.stringMatching(/neither as before nor on the way/),
    });

    expect(commandsOf(injector, ['PutBucketPolicyCommand', 'DeleteBucketPolicyCommand', 'PutPublicAccessBlockCommand'])).toEqual([]);
    const record = await store().getChange(name);
    expect(record?.status).toBe('FAILED');
    expect(record?.live?.policy).toBe(drifted);
    expect(await policyOf(bucket)).toBe(drifted);
  });
});

describe('what the approver saw is what gets written', () => {
  it('writes nothing when the bucket changed after the plan was approved', async () => {
    const { bucket } = await publicBucket();
    const seen = await planChange(CONTROL, context(bucket));
    const approved: ApprovedPlan = { before: seen.before, after: seen.after, summary: seen.summary, planHash: 'h' };
    const drifted = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${bucket}/*` }] });
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: drifted }));
    injector = injectFaults();

    await expect(apply(bucket, uniqueName('stale'), { approvedPlan: approved })).rejects.toMatchObject({ name: 'PlanChangedError' });

    expect(commandsOf(injector, ['PutBucketPolicyCommand', 'PutPublicAccessBlockCommand'])).toEqual([]);
    expect(await policyOf(bucket)).toBe(drifted);
  });

  it('writes the approved plan when the bucket is as the approver saw it', async () => {
    const { bucket } = await publicBucket();
    const seen = await planChange(CONTROL, context(bucket));
    const result = await apply(bucket, uniqueName('approved'), { approvedPlan: { before: seen.before, after: seen.after, summary: seen.summary, planHash: 'h' } });
    expect(result.status).toBe('REMEDIATED');
    expect(sameState({ policy: await policyOf(bucket) }, { policy: seen.after.policy ?? null })).toBe(true);
  });
});

describe('rollbacks', () => {
  it('lets one of two racing rollbacks restore, refuses the other with its holder, and keeps what the first overwrote', async () => {
    const { bucket, policy } = await publicBucket();
    const name = uniqueName('rb');
    await apply(bucket, name);
    const drifted = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Drift', Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: `arn:aws:s3:::${bucket}` }] });
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: drifted }));

    const results = await Promise.allSettled([
      rollbackChange({ ctx: context(bucket), store: store(), changeId: name, actor: 'slack:U1', holder: executionArn('one') }),
      rollbackChange({ ctx: context(bucket), store: store(), changeId: name, actor: 'slack:U2', holder: executionArn('two') }),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ name: expect.stringMatching(/RollbackFailedError|ResourceBusyError/) });
    const record = await store().getChange(name);
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.rollbackOverwrote?.policy).toBe(drifted);
    expect(await policyOf(bucket)).toBe(policy);

    await expect(rollbackChange({ ctx: context(bucket), store: store(), changeId: name, actor: 'cli:x', holder: executionArn('three') })).rejects.toThrow(
      new RegExp(`already rolled back by ${record?.rollbackBy}`),
    );
  });
});

describe('a double fault', () => {
  it('stores what is really on the bucket when the write and the restore both fail', async () => {
    const { bucket } = await publicBucket();
    const name = uniqueName('double');
    injector = injectFaults([
      { command: 'PutPublicAccessBlockCommand', error: 'AccessDenied' },
      { command: 'PutBucketPolicyCommand', nth: 2, error: 'AccessDenied' },
    ]);

    await expect(apply(bucket, name)).rejects.toMatchObject({ name: 'ControlFailedError', message: expect.stringMatching(/restore failed too/) });

    const record = await store().getChange(name);
    expect(record?.status).toBe('FAILED');
    expect(record?.live).toBeDefined();
    expect(sameState(record!.live!, { policy: await policyOf(bucket), publicAccessBlock: await blockOf(bucket) })).toBe(true);
    expect(sameState(record!.live!, record!.after)).toBe(false);
  });

  it('keeps a throttled rollback retryable, and its successful retry clears what the failed attempt stored', async () => {
    const { bucket, policy } = await publicBucket();
    const name = uniqueName('rbthrottle');
    await apply(bucket, name);
    const holder = executionArn(`${name}-rb`);
    injector = injectFaults([{ command: 'PutBucketPolicyCommand', error: 'ThrottlingException' }]);
    await expect(rollbackChange({ ctx: context(bucket), store: store(), changeId: name, actor: 'slack:U1', holder })).rejects.toMatchObject({ name: 'TransientAwsError' });
    const failed = await store().getChange(name);
    expect(failed).toMatchObject({ status: 'ROLLING_BACK', rollbackBy: holder, error: expect.stringMatching(/rollback failed/) });
    expect(failed?.live).toBeDefined();
    injector.remove();

    await rollbackChange({ ctx: context(bucket), store: store(), changeId: name, actor: 'slack:U1', holder });
    const record = await store().getChange(name);
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.live).toBeUndefined();
    expect(record?.error).toBeUndefined();
    expect(await policyOf(bucket)).toBe(policy);
  });
});
