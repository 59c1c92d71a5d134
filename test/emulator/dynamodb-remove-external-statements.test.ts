/**
 * The DynamoDB minimal-fix control against the emulator's DynamoDB, through the runner.
 * moto 5.2.1 keeps resource policies for tables only: it looks a stream ARN's last
 * path segment up as a table name, so stream policies are covered with
 * aws-sdk-client-mock in test/unit/controls/dynamodb-remove-external-statements.test.ts.
 */
import { CreateTableCommand, DynamoDBClient, GetResourcePolicyCommand, PutResourcePolicyCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../lib/aws/clients';
import { awsErrorName } from '../../lib/aws/errors';
import { AuditStore } from '../../lib/audit/store';
import { applyChange, planChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const ddb = new DynamoDBClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 'dynamodb-remove-external-statements';
const EXTERNAL = '444455556666';

async function tableWith(policy: (tableArn: string) => string | null): Promise<string> {
  const created = await ddb.send(
    new CreateTableCommand({
      TableName: uniqueName('remediator-test'),
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const tableArn = created.TableDescription!.TableArn!;
  const text = policy(tableArn);
  if (text !== null) await ddb.send(new PutResourcePolicyCommand({ ResourceArn: tableArn, Policy: text }));
  return tableArn;
}

async function policyOf(tableArn: string): Promise<string | null> {
  try {
    return (await ddb.send(new GetResourcePolicyCommand({ ResourceArn: tableArn }))).Policy ?? null;
  } catch (error) {
    if (awsErrorName(error) === 'PolicyNotFoundException') return null;
    throw error;
  }
}

const context = (tableArn: string): ControlContext => controlContextFor(stack, tableArn, 'AWS::DynamoDB::Table');
const apply = (tableArn: string, changeId: string) => applyChange({ controlId: CONTROL, ctx: context(tableArn), store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' });

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
const appWrites = (tableArn: string) => ({ Sid: 'AppWrites', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stack.accountId}:role/app` }, Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Resource: tableArn });
const partnerReads = (tableArn: string) => ({
  Sid: 'PartnerReads',
  Effect: 'Allow',
  Principal: { AWS: [`arn:aws:iam::${EXTERNAL}:root`, `arn:aws:iam::${stack.accountId}:role/reporting`] },
  Action: 'dynamodb:Query',
  Resource: tableArn,
});

describe('dynamodb-remove-external-statements on the emulator (tables)', () => {
  it('removes only the external principal, keeps the rest, and rolls back byte for byte', async () => {
    let original = '';
    const tableArn = await tableWith((arn) => (original = policy(appWrites(arn), partnerReads(arn))));
    expect((await verifyChange(CONTROL, context(tableArn))).resolved).toBe(false);

    const changeId = uniqueName('change');
    const result = await apply(tableArn, changeId);

    expect(result.status).toBe('REMEDIATED');
    expect(result.summary).toMatch(new RegExp(EXTERNAL));
    const fixed = JSON.parse((await policyOf(tableArn))!);
    expect(fixed.Statement[0]).toEqual(appWrites(tableArn));
    expect(fixed.Statement[1]).toEqual({ ...partnerReads(tableArn), Principal: { AWS: [`arn:aws:iam::${stack.accountId}:role/reporting`] } });
    expect(await verifyChange(CONTROL, context(tableArn))).toMatchObject({ resolved: true });
    expect((await audit.getChange(changeId))?.before.policy).toBe(original);

    await rollbackChange({ ctx: context(tableArn), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(tableArn)).toBe(original);
  });

  it('deletes a policy that only grants outside the zone, and puts it back on rollback', async () => {
    let original = '';
    const tableArn = await tableWith((arn) => (original = policy({ ...partnerReads(arn), Principal: { AWS: `arn:aws:iam::${EXTERNAL}:root` } })));
    expect(await planChange(CONTROL, context(tableArn))).toMatchObject({ applicable: true, before: { policy: original }, after: { policy: null } });

    const changeId = uniqueName('change');
    expect((await apply(tableArn, changeId)).status).toBe('REMEDIATED');
    expect(await policyOf(tableArn)).toBeNull();

    await rollbackChange({ ctx: context(tableArn), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(tableArn)).toBe(original);
  });

  it('changes nothing on a table without a policy or with a trusted one', async () => {
    for (const tableArn of [await tableWith(() => null), await tableWith((arn) => policy(appWrites(arn)))]) {
      const before = await policyOf(tableArn);
      expect((await apply(tableArn, uniqueName('change'))).status).toBe('NOT_APPLICABLE');
      expect(await policyOf(tableArn)).toBe(before);
    }
  });
});
