/**
 * dynamodb-remove-external-statements on a DynamoDB *stream*, with the AWS calls
 * mocked (aws-sdk-client-mock): moto 5.2.1 keeps resource policies for tables
 * only (it looks a stream ARN's last path segment up as a table name), so the
 * stream path cannot run on the emulator. The table path runs against moto in
 * test/emulator/dynamodb-remove-external-statements.test.ts.
 * The mock is stateful (one stored policy text per ARN), so what the control
 * writes is what it later reads back.
 */
import { DeleteResourcePolicyCommand, DynamoDBClient, GetResourcePolicyCommand, PutResourcePolicyCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import { getControl } from '../../../lib/controls/registry';
import type { ControlContext } from '../../../lib/controls/types';
import { finding as testFinding } from '../../support/finding';

const ACCOUNT = '123456789012';
const EXTERNAL = '444455556666';
const STREAM_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders/stream/2026-12-01T00:00:00.000`;
const control = getControl('dynamodb-remove-external-statements');
const ddb = mockClient(DynamoDBClient);
const stored = new Map<string, string>();

const context = (arn: string, type = 'AWS::DynamoDB::Stream', region = 'us-east-1'): ControlContext => ({
  finding: testFinding({
    id: 'f',
    source: 'access-analyzer',
    type: 'ExternalAccess',
    severity: 'HIGH',
    resource: { arn, type, accountId: ACCOUNT, region },
    raw: { eventId: 'e', source: 'aws.access-analyzer' },
    exposure: null,
  }),
  zone: { accountIds: [ACCOUNT] },
  exemptPrincipalArns: [],
  clients: new AwsClients({ region }),
});

const streamPolicy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
const consumer = { Sid: 'Consumer', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/consumer` }, Action: ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'], Resource: STREAM_ARN };
const partner = { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${EXTERNAL}:root` }, Action: 'dynamodb:GetRecords', Resource: STREAM_ARN };

beforeEach(() => {
  ddb.reset();
  stored.clear();
  ddb.on(GetResourcePolicyCommand).callsFake(({ ResourceArn }: { ResourceArn: string }) => {
    const policy = stored.get(ResourceArn);
    if (policy === undefined) throw Object.assign(new Error('Resource-based policy not found'), { name: 'PolicyNotFoundException' });
    return { Policy: policy, RevisionId: '1' };
  });
  ddb.on(PutResourcePolicyCommand).callsFake(({ ResourceArn, Policy }: { ResourceArn: string; Policy: string }) => {
    stored.set(ResourceArn, Policy);
    return { RevisionId: '2' };
  });
  ddb.on(DeleteResourcePolicyCommand).callsFake(({ ResourceArn }: { ResourceArn: string }) => {
    stored.delete(ResourceArn);
    return {};
  });
});

describe('dynamodb-remove-external-statements on a stream (mocked: moto lacks stream policies)', () => {
  it('handles streams as well as tables', () => {
    expect(control.handles.resourceTypes).toEqual(['AWS::DynamoDB::Table', 'AWS::DynamoDB::Stream']);
  });

  it('removes the external statement of a stream policy by its stream ARN and restores the exact text', async () => {
    const original = streamPolicy(consumer, partner);
    stored.set(STREAM_ARN, original);
    const ctx = context(STREAM_ARN);

    const plan = await control.plan(ctx);
    expect(plan).toMatchObject({ applicable: true, before: { policy: original } });
    await control.write(ctx, plan);

    const put = ddb.commandCalls(PutResourcePolicyCommand).map((call) => call.args[0].input);
    expect(put).toHaveLength(1);
    expect(put[0]!.ResourceArn).toBe(STREAM_ARN);
    expect(JSON.parse(put[0]!.Policy!).Statement).toEqual([consumer]);
    expect(await control.snapshot(ctx)).toEqual(plan.after);
    expect(await control.verify(ctx)).toMatchObject({ resolved: true });

    await control.restore(ctx, plan.before);
    expect(stored.get(STREAM_ARN)).toBe(original);
  });

  it('deletes a stream policy with nothing trusted left, and puts it back', async () => {
    const original = streamPolicy(partner);
    stored.set(STREAM_ARN, original);
    const ctx = context(STREAM_ARN);

    const plan = await control.plan(ctx);
    expect(plan.after).toEqual({ policy: null });
    await control.write(ctx, plan);
    expect(ddb.commandCalls(DeleteResourcePolicyCommand).map((call) => call.args[0].input)).toEqual([{ ResourceArn: STREAM_ARN }]);
    expect(await control.snapshot(ctx)).toEqual({ policy: null });

    await control.restore(ctx, plan.before);
    expect(stored.get(STREAM_ARN)).toBe(original);
  });

  it('refuses an ARN that is not a table or stream, or of another partition, before any call', async () => {
    await expect(control.plan(context(`arn:aws:dynamodb:us-east-1:${ACCOUNT}:global-table/orders`))).rejects.toMatchObject({ name: 'ControlFailedError' });
    await expect(control.plan(context(`arn:aws-cn:dynamodb:us-east-1:${ACCOUNT}:table/orders`))).rejects.toMatchObject({ name: 'ControlFailedError', message: expect.stringContaining('partition') });
    expect(ddb.calls()).toHaveLength(0);
  });
});
