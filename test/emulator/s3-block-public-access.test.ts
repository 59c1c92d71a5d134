/** s3-block-public-access against the emulator's S3, through the runner: exact prior configuration saved and put back. */
import { CreateBucketCommand, GetPublicAccessBlockCommand, PutBucketPolicyCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { getControl } from '../../lib/controls/registry';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';
import { expectWithinPermissions, recordCommands } from '../support/recorded-commands';

const stack = useLocalStack();
const recorder = recordCommands();
const s3 = new S3Client(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 's3-block-public-access';
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

const context = (bucket: string): ControlContext => recorder.record(controlContextFor(stack, `arn:aws:s3:::${bucket}`, 'AWS::S3::Bucket'));

async function bucketWith(policy: ((bucket: string) => string) | null, block?: Record<string, boolean>): Promise<string> {
  const bucket = uniqueName('ctl-bpa');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (policy) await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy(bucket) }));
  if (block) await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: block }));
  return bucket;
}

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

const publicOnly = (bucket: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] });

describe('s3-block-public-access on the emulator', () => {
  it('turns on all four settings of a public bucket that had none, verifies, and rolls back to none', async () => {
    const bucket = await bucketWith(publicOnly);
    expect((await verifyChange(CONTROL, context(bucket))).resolved).toBe(false);

    const { changeId, result } = await apply(bucket);

    expect(result.status).toBe('REMEDIATED');
    expect(await blockOf(bucket)).toEqual(ALL_ON);
    const record = await audit.getChange(changeId);
    expect(record?.before).toEqual({ publicAccessBlock: null });
    expect(await getControl(CONTROL).snapshot(context(bucket))).toEqual(record?.after);
    expect(await verifyChange(CONTROL, context(bucket))).toMatchObject({ resolved: true });

    await rollbackChange({ ctx: context(bucket), store: audit, changeId, actor: 'auto' });
    expect(await blockOf(bucket)).toBeNull();
  });

  it('saves a partial configuration exactly and puts it back', async () => {
    const partial = { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
    const bucket = await bucketWith(publicOnly, partial);
    const { changeId, result } = await apply(bucket);
    expect(result.summary).toMatch(/IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets/);
    expect((await audit.getChange(changeId))?.before.publicAccessBlock).toBe(JSON.stringify(partial));
    await rollbackChange({ ctx: context(bucket), store: audit, changeId, actor: 'auto' });
    expect(await blockOf(bucket)).toEqual(partial);
  });

  it('says, after the write, that access granted to a named external account is still there', async () => {
    // No public statement: RestrictPublicBuckets (which also shuts out named accounts of a public policy) does not apply.
    const partnerOnly = (b: string) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }] });
    const bucket = await bucketWith(partnerOnly);
    await apply(bucket);
    expect(await verifyChange(CONTROL, context(bucket))).toMatchObject({ resolved: false, reason: expect.stringContaining('444455556666') });
  });

  it('changes nothing when all four settings are already on', async () => {
    const bucket = await bucketWith(null, ALL_ON);
    const { result } = await apply(bucket);
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(await blockOf(bucket)).toEqual(ALL_ON);
  });

  it('sends only commands whose IAM actions it declares', () => {
    expectWithinPermissions(recorder, getControl(CONTROL));
    expect(recorder.actions()).toEqual(expect.arrayContaining(['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock']));
  });
});
