import { AwsClients } from '../../lib/aws/clients';
/**
 * The S3 deny-all control against the emulator's S3, through the runner that
 * gives every control its guarantees: change record first, verify on the
 * live bucket, roll back byte for byte.
 */
import { CreateBucketCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand, PutBucketPolicyCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { applyChange, planChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { publicReadPolicy, uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';
import { expectWithinPermissions, recordCommands } from '../support/recorded-commands';
import { getControl } from '../../lib/controls/registry';

const stack = useLocalStack();
const recorder = recordCommands();
const s3 = new S3Client(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 's3-deny-all-bucket-policy';

const context = (bucket: string): ControlContext =>
  recorder.record(controlContextFor(stack, `arn:aws:s3:::${bucket}`, 'AWS::S3::Bucket', [stack.remediationRoleArn, `arn:aws:iam::${stack.accountId}:role/BreakGlassAdmin`]));

async function bucketWith(policy: string | null, publicAccessBlock?: Record<string, boolean>): Promise<string> {
  const bucket = uniqueName('ctl');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (policy !== null) await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
  if (publicAccessBlock) await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: publicAccessBlock }));
  return bucket;
}

const policyOf = (bucket: string) =>
  s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
    (r) => r.Policy ?? null,
    (e: Error) => (e.name === 'NoSuchBucketPolicy' ? null : Promise.reject(e)),
  );
const blockOf = (bucket: string) =>
  s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })).then(
    (r) => r.PublicAccessBlockConfiguration ?? null,
    (e: Error) => (e.name === 'NoSuchPublicAccessBlockConfiguration' ? null : Promise.reject(e)),
  );

async function apply(bucket: string) {
  const changeId = uniqueName('change');
  const result = await applyChange({ controlId: CONTROL, ctx: context(bucket), store: audit, changeId, executionArn: `arn:aws:states:::execution:x:${changeId}`, actor: 'auto' });
  return { changeId, result };
}

describe('s3-deny-all-bucket-policy on the emulator', () => {
  it('plans from the live bucket and shows the exact change', async () => {
    const original = publicReadPolicy('x');
    const bucket = await bucketWith(original.replaceAll('x', 'plan'));
    const plan = await planChange(CONTROL, context(bucket));
    expect(plan.applicable).toBe(true);
    expect(plan.reason).toMatch(/public/);
    expect(plan.before.policy).toBe(await policyOf(bucket));
    expect(JSON.parse(plan.after.policy!).Statement[0].Effect).toBe('Deny');
    expect(await policyOf(bucket)).toBe(plan.before.policy);
  });

  it('saves the change record before writing, closes the bucket and verifies it on the live bucket', async () => {
    const bucket = await bucketWith(null);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicReadPolicy(bucket) }));
    expect((await verifyChange(CONTROL, context(bucket))).resolved).toBe(false);

    const { changeId, result } = await apply(bucket);

    expect(result.status).toBe('REMEDIATED');
    const record = await audit.getChange(changeId);
    expect(record).toMatchObject({ status: 'APPLIED', before: { policy: publicReadPolicy(bucket), publicAccessBlock: null } });
    expect(await policyOf(bucket)).toBe(record!.after.policy);
    expect(await blockOf(bucket)).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(await verifyChange(CONTROL, context(bucket))).toMatchObject({ resolved: true });
  });

  it('rolls back byte for byte: the original policy text and the original Block Public Access', async () => {
    const original = `{"Version":"2012-10-17",  "Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::placeholder/*"}]}`;
    const bucket = await bucketWith(null);
    const text = original.replace('placeholder', bucket);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: text }));
    const partialBlock = { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: partialBlock }));

    const { changeId } = await apply(bucket);
    expect(await policyOf(bucket)).not.toBe(text);
    const rolledBack = await rollbackChange({ ctx: context(bucket), store: audit, changeId, actor: 'slack:U1' });

    expect(rolledBack.status).toBe('ROLLED_BACK');
    const appliedRecord = await audit.getChange(changeId);
    expect(appliedRecord?.rollbackOverwrote?.policy).toBe(appliedRecord?.after.policy);
    expect(await policyOf(bucket)).toBe(text);
    expect(await blockOf(bucket)).toEqual(partialBlock);
    expect((await audit.getChange(changeId))?.status).toBe('ROLLED_BACK');
  });

  it('rolls back to no policy and no Block Public Access when there were none', async () => {
    const bucket = await bucketWith(null);
    // Public through a policy added after the record was planned would be a race; here the bucket is public from the start.
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicReadPolicy(bucket) }));
    const { changeId } = await apply(bucket);
    const record = await audit.getChange(changeId);
    expect(record?.before.publicAccessBlock).toBeNull();
    await rollbackChange({ ctx: context(bucket), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(bucket)).toBe(publicReadPolicy(bucket));
    expect(await blockOf(bucket)).toBeNull();
  });

  it('writes nothing and records nothing when the live bucket is no longer exposed', async () => {
    const internal = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stack.accountId}:role/app` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }],
    });
    const bucket = await bucketWith(internal);
    const { changeId, result } = await apply(bucket);
    expect(result).toMatchObject({ status: 'NOT_APPLICABLE', changeId: null });
    expect(await audit.getChange(changeId)).toBeUndefined();
    expect(await policyOf(bucket)).toBe(internal);
    expect(await blockOf(bucket)).toBeNull();
  });

  it('fails with ResourceNotFoundError for a bucket that does not exist, before writing anything', async () => {
    const bucket = uniqueName('ctl-missing');
    await expect(apply(bucket)).rejects.toMatchObject({ name: 'ResourceNotFoundError' });
  });

  it('sends only commands whose IAM actions it declares', () => {
    expectWithinPermissions(recorder, getControl(CONTROL));
  });
});
