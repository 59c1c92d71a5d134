import { AwsClients } from '../../../lib/aws/clients';
/**
 * The guarantees of the control runner, with the AWS calls mocked
 * (aws-sdk-client-mock): the same paths run against the emulator in
 * test/emulator/s3-deny-all-bucket-policy.test.ts.
 */
import {
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../../lib/audit/store';
import { applyChange } from '../../../lib/controls/runner';
import { ApprovalRequiredError } from '../../../lib/errors';
import { finding as testFinding } from '../../support/finding';

const s3 = mockClient(S3Client);
const ddb = mockClient(DynamoDBDocumentClient);
const original = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });

const ctx = {
  finding: testFinding({
    id: 'f',
    source: 'access-analyzer',
    type: 'ExternalAccess',
    severity: 'CRITICAL',
    resource: { arn: 'arn:aws:s3:::bucket-b', type: 'AWS::S3::Bucket', accountId: '123456789012', region: 'us-east-1' },
    raw: { eventId: 'e', source: 'aws.access-analyzer' },
    exposure: null,
  }),
  zone: { accountIds: ['123456789012'] },
  exemptPrincipalArns: ['arn:aws:iam::123456789012:role/remediator'],
  clients: new AwsClients({ region: 'us-east-1' }),
};

const apply = () =>
  applyChange({ controlId: 's3-deny-all-bucket-policy', ctx, store: new AuditStore('audit', new AwsClients({ region: 'us-east-1' })), changeId: 'c1', executionArn: 'arn:exec:c1', actor: 'auto' });

beforeEach(() => {
  s3.reset();
  ddb.reset();
  s3.on(GetBucketPolicyCommand).resolves({ Policy: original });
  s3.on(GetPublicAccessBlockCommand).rejects(Object.assign(new Error('none'), { name: 'NoSuchPublicAccessBlockConfiguration' }));
  s3.on(GetBucketAclCommand).resolves({ Grants: [] });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(GetCommand).resolves({});
});

describe('applying a control', () => {
  it('stores the change record with the exact prior policy before the first write', async () => {
    const order: string[] = [];
    ddb.on(PutCommand).callsFake(() => void order.push('record'));
    s3.on(PutBucketPolicyCommand).callsFake(() => void order.push('put-policy'));
    s3.on(PutPublicAccessBlockCommand).callsFake(() => void order.push('put-bpa'));

    await expect(apply()).resolves.toMatchObject({ status: 'REMEDIATED', changeId: 'c1' });

    expect(order).toEqual(['record', 'put-policy', 'put-bpa']);
    const item = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item.before).toEqual({ policy: original, publicAccessBlock: null });
    expect(item.status).toBe('PENDING');
  });

  it('runs the gate on the fresh plan before recording anything, and writes nothing when it throws', async () => {
    const seen: unknown[] = [];
    const gate = (plan: { before: unknown }) => {
      seen.push(plan.before);
      throw new ApprovalRequiredError('too wide');
    };
    const store = new AuditStore('audit', new AwsClients({ region: 'us-east-1' }));
    await expect(applyChange({ controlId: 's3-deny-all-bucket-policy', ctx, store, changeId: 'c1', executionArn: 'arn:exec:c1', actor: 'auto', gate })).rejects.toMatchObject({
      name: 'ApprovalRequiredError',
    });
    expect(seen).toEqual([{ policy: original, publicAccessBlock: null }]);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(0);
  });

  it('writes nothing if the change record cannot be stored', async () => {
    ddb.on(PutCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(apply()).rejects.toThrow(/saving change record/);
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(0);
  });

  it('puts the prior state back when a write fails half-way, and marks the record FAILED', async () => {
    s3.on(PutBucketPolicyCommand).resolves({});
    s3.on(PutPublicAccessBlockCommand).rejectsOnce(Object.assign(new Error('nope'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).resolves({});
    s3.on(DeletePublicAccessBlockCommand).resolves({});

    await expect(apply()).rejects.toMatchObject({ name: 'ControlFailedError', message: expect.stringMatching(/restored/) });

    const policies = s3.commandCalls(PutBucketPolicyCommand).map((c) => c.args[0].input.Policy);
    expect(policies.at(-1)).toBe(original);
    expect(s3.commandCalls(DeleteBucketPolicyCommand)).toHaveLength(0);
    const changeUpdates = ddb.commandCalls(UpdateCommand).filter((c) => String(c.args[0].input.Key?.pk).startsWith('CHANGE#'));
    expect(changeUpdates.map((c) => c.args[0].input.ExpressionAttributeValues?.[':status'])).toEqual(['FAILED']);
  });

  it('calls a throttled read a TransientAwsError, which the state machine retries', async () => {
    s3.on(GetBucketPolicyCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
    await expect(apply()).rejects.toMatchObject({ name: 'TransientAwsError' });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});
