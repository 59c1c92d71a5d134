/** s3-require-tls against the emulator's S3, through the runner. */
import { CreateBucketCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { awsErrorName } from '../../lib/aws/errors';
import { getControl } from '../../lib/controls/registry';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { FindingSchema } from '../../lib/finding';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const s3 = new S3Client(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const parsedState = (state: Record<string, string | null>) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v === null ? null : JSON.parse(v)]));
const CONTROL = 's3-require-tls';

const policyOf = (bucket: string) =>
  s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
    (r) => r.Policy ?? null,
    (error: unknown) => {
      if (awsErrorName(error) === 'NoSuchBucketPolicy') return null;
      throw error;
    },
  );

async function bucketWith(policy: (bucket: string) => string | null): Promise<{ bucket: string; text: string | null }> {
  const bucket = uniqueName('tls-bucket');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const text = policy(bucket);
  if (text !== null) await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: text }));
  return { bucket, text };
}

function context(bucket: string): ControlContext {
  const base = controlContextFor(stack, `arn:aws:s3:::${bucket}`, 'AWS::S3::Bucket');
  return { ...base, finding: FindingSchema.parse({ ...base.finding, source: 'config', type: 's3-bucket-ssl-requests-only' }) };
}

const internalReader = (accountId: string) => (bucket: string) =>
  JSON.stringify(
    { Version: '2012-10-17', Statement: [{ Sid: 'AppRead', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:role/app` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] },
    null,
    2,
  );

async function apply(ctx: ControlContext) {
  const changeId = uniqueName('change');
  return { changeId, result: await applyChange({ controlId: CONTROL, ctx, store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' }) };
}

describe('s3-require-tls on the emulator', () => {
  it('appends the deny-insecure-transport statement, keeps the others, and rolls back byte for byte', async () => {
    const { bucket, text } = await bucketWith(internalReader(stack.accountId));
    const ctx = context(bucket);
    expect((await verifyChange(CONTROL, ctx)).resolved).toBe(false);

    const { changeId, result } = await apply(ctx);

    expect(result.status).toBe('REMEDIATED');
    const fixed = JSON.parse((await policyOf(bucket))!);
    expect(fixed.Statement[0]).toEqual(JSON.parse(text!).Statement[0]);
    expect(fixed.Statement[1]).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(await verifyChange(CONTROL, ctx)).toMatchObject({ resolved: true });
    // The runner's contract: after the write, the live state is the plan's `after` (up to JSON formatting).
    expect(parsedState(await getControl(CONTROL).snapshot(ctx))).toEqual(parsedState((await audit.getChange(changeId))!.after));
    expect((await audit.getChange(changeId))?.before.policy).toBe(text);

    await rollbackChange({ ctx, store: audit, changeId, actor: 'auto' });
    expect(await policyOf(bucket)).toBe(text);
  });

  it('creates a policy on a bucket that has none, and deletes it again on rollback', async () => {
    const { bucket } = await bucketWith(() => null);
    const ctx = context(bucket);
    const { changeId, result } = await apply(ctx);
    expect(result.status).toBe('REMEDIATED');
    expect(JSON.parse((await policyOf(bucket))!).Statement).toHaveLength(1);
    expect((await audit.getChange(changeId))?.before.policy).toBeNull();
    await rollbackChange({ ctx, store: audit, changeId, actor: 'auto' });
    expect(await policyOf(bucket)).toBeNull();
  });

  it('changes nothing when the policy already denies plain HTTP', async () => {
    const { bucket } = await bucketWith(() => null);
    await apply(context(bucket));
    const once = await policyOf(bucket);
    const { result } = await apply(context(bucket));
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(await policyOf(bucket)).toBe(once);
  });
});
