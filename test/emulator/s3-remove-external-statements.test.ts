/**
 * The S3 minimal-fix control against the emulator's S3, through the runner:
 * only the external principals and statements go, Block Public Access and the
 * ACL are weighed, and a rollback puts the policy text back byte for byte.
 */
import { CreateBucketCommand, GetBucketPolicyCommand, PutBucketAclCommand, PutBucketPolicyCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { getControl } from '../../lib/controls/registry';
import { applyChange, planChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';
import { expectWithinPermissions, recordCommands } from '../support/recorded-commands';

const stack = useLocalStack();
const recorder = recordCommands();
const s3 = new S3Client(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 's3-remove-external-statements';

const context = (bucket: string): ControlContext => recorder.record(controlContextFor(stack, `arn:aws:s3:::${bucket}`, 'AWS::S3::Bucket'));

async function bucketWith(policy: (bucket: string) => string): Promise<{ bucket: string; text: string }> {
  const bucket = uniqueName('ctl-rx');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const text = policy(bucket);
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: text }));
  return { bucket, text };
}

const policyOf = (bucket: string) =>
  s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
    (r) => r.Policy ?? null,
    (e: Error) => (e.name === 'NoSuchBucketPolicy' ? null : Promise.reject(e)),
  );

/** A trusted statement, and one that mixes a trusted role with a partner account; odd spacing on purpose (restored byte for byte). */
const mixedPolicy = (account: string) => (bucket: string) =>
  `{"Version":"2012-10-17",  "Statement":[
  {"Sid":"AppReads","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${account}:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::${bucket}/*"},
  {"Sid":"Shared","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:root","arn:aws:iam::${account}:role/reporting"]},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::${bucket}","arn:aws:s3:::${bucket}/*"]},
  {"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::${bucket}/public/*"}]}`;

async function apply(bucket: string) {
  const changeId = uniqueName('change');
  const result = await applyChange({ controlId: CONTROL, ctx: context(bucket), store: audit, changeId, executionArn: `arn:aws:states:::execution:x:${changeId}`, actor: 'auto' });
  return { changeId, result };
}

describe('s3-remove-external-statements on the emulator', () => {
  it('removes the partner account, narrows the public statement to the account, keeps the trusted ones, and rolls back byte for byte', async () => {
    const { bucket, text } = await bucketWith(mixedPolicy(stack.accountId));
    expect((await verifyChange(CONTROL, context(bucket))).resolved).toBe(false);

    const { changeId, result } = await apply(bucket);

    expect(result.status).toBe('REMEDIATED');
    const fixed = JSON.parse((await policyOf(bucket))!);
    expect(fixed.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['AppReads', 'Shared', 'Public']);
    expect(fixed.Statement[0]).toEqual(JSON.parse(text).Statement[0]);
    expect(fixed.Statement[1].Principal.AWS).toEqual([`arn:aws:iam::${stack.accountId}:role/reporting`]);
    expect(fixed.Statement[2].Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': stack.accountId } });
    const record = await audit.getChange(changeId);
    expect(record?.before.policy).toBe(text);
    expect(await getControl(CONTROL).snapshot(context(bucket))).toEqual(record?.after);
    expect(await verifyChange(CONTROL, context(bucket))).toMatchObject({ resolved: true });

    await rollbackChange({ ctx: context(bucket), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(bucket)).toBe(text);
  });

  it('deletes a policy in which nothing trusted is left, and puts it back on rollback', async () => {
    const partnerOnly = (b: string) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }] }, null, 2);
    const { bucket, text } = await bucketWith(partnerOnly);
    const { changeId, result } = await apply(bucket);
    expect(result.summary).toMatch(/^Delete the bucket policy/);
    expect(await policyOf(bucket)).toBeNull();
    expect((await audit.getChange(changeId))?.after.policy).toBeNull();
    await rollbackChange({ ctx: context(bucket), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(bucket)).toBe(text);
  });

  it('changes nothing when Block Public Access RestrictPublicBuckets already confines a public policy', async () => {
    const { bucket, text } = await bucketWith((b) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }] }));
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
    const { result } = await apply(bucket);
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(await policyOf(bucket)).toBe(text);
  });

  it('leaves a public ACL to its own control: not applicable, and verify says the bucket is still public', async () => {
    const { bucket, text } = await bucketWith((b) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stack.accountId}:root` }, Action: 's3:*', Resource: `arn:aws:s3:::${b}` }] }),
    );
    await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' }));
    const plan = await planChange(CONTROL, context(bucket));
    expect(plan.applicable).toBe(false);
    expect(plan.reason).toMatch(/ACL grants READ to AllUsers/);
    expect(await verifyChange(CONTROL, context(bucket))).toMatchObject({ resolved: false, reason: expect.stringMatching(/public/) });
    expect(await policyOf(bucket)).toBe(text);
  });

  it('sends only commands whose IAM actions it declares', () => {
    expectWithinPermissions(recorder, getControl(CONTROL));
    expect(recorder.actions()).toEqual(expect.arrayContaining(['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy']));
  });
});
