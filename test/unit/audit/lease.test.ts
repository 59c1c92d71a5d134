import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import { AuditStore } from '../../../lib/audit/store';

const ddb = mockClient(DynamoDBDocumentClient);
const store = () => new AuditStore('audit', new AwsClients({ region: 'us-east-1' }));
const refused = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const BUCKET = 'arn:aws:s3:::leased';

describe('the resource lease', () => {
  beforeEach(() => ddb.reset());

  it('takes the lease again when it was released between the refused write and the read of its holder', async () => {
    ddb.on(UpdateCommand).rejectsOnce(refused()).resolves({ Attributes: { holder: 'arn:exec:b', expiresAt: 2_000 } });
    ddb.on(GetCommand).resolves({ Item: { pk: `LEASE#${BUCKET}`, sk: 'LEASE', lastChange: { changeId: 'c1', executionArn: 'arn:exec:a' } } });
    await expect(store().acquireLease(BUCKET, 'arn:exec:b', 300)).resolves.toMatchObject({ holder: 'arn:exec:b', expiresAt: 2_000 });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  it('is busy, naming the holder and its expiry, while another execution holds it', async () => {
    ddb.on(UpdateCommand).rejects(refused());
    ddb.on(GetCommand).resolves({ Item: { holder: 'arn:exec:a', expiresAt: 1_800_000_000 } });
    await expect(store().acquireLease(BUCKET, 'arn:exec:b', 300)).rejects.toMatchObject({
      name: 'ResourceBusyError',
      message: expect.stringMatching(/being changed by arn:exec:a \(lease until 2027-/),
    });
  });

  it('stays busy (never a RangeError) when the lease keeps flickering', async () => {
    ddb.on(UpdateCommand).rejects(refused());
    ddb.on(GetCommand).resolves({ Item: {} });
    await expect(store().acquireLease(BUCKET, 'arn:exec:b', 300)).rejects.toMatchObject({ name: 'ResourceBusyError' });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(3);
  });
});
