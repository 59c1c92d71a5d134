/** The Secrets Manager minimal-fix control against the emulator's Secrets Manager, through the runner. */
import { CreateSecretCommand, GetResourcePolicyCommand, PutResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../lib/aws/clients';
import { AuditStore } from '../../lib/audit/store';
import { applyChange, planChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const sm = new SecretsManagerClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 'secretsmanager-remove-external-statements';
const EXTERNAL = '444455556666';

async function secretWith(policy: string | null): Promise<string> {
  const created = await sm.send(new CreateSecretCommand({ Name: uniqueName('remediator-test'), SecretString: 'not-a-real-secret' }));
  if (policy !== null) await sm.send(new PutResourcePolicyCommand({ SecretId: created.ARN!, ResourcePolicy: policy }));
  return created.ARN!;
}

const policyOf = async (secretArn: string) => (await sm.send(new GetResourcePolicyCommand({ SecretId: secretArn }))).ResourcePolicy ?? null;
const context = (secretArn: string): ControlContext => controlContextFor(stack, secretArn, 'AWS::SecretsManager::Secret');
const apply = (secretArn: string, changeId: string) => applyChange({ controlId: CONTROL, ctx: context(secretArn), store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' });

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
}
const appReads = () => ({ Sid: 'AppReads', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stack.accountId}:role/app` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' });
const partnerReads = { Sid: 'PartnerReads', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${EXTERNAL}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' };

describe('secretsmanager-remove-external-statements on the emulator', () => {
  it('removes only the external statement, keeps the trusted one byte for byte, and rolls back exactly', async () => {
    const original = policy(appReads(), partnerReads);
    const secretArn = await secretWith(original);
    expect((await verifyChange(CONTROL, context(secretArn))).resolved).toBe(false);

    const changeId = uniqueName('change');
    const result = await apply(secretArn, changeId);

    expect(result.status).toBe('REMEDIATED');
    const fixed = JSON.parse((await policyOf(secretArn))!);
    expect(fixed.Statement).toEqual([appReads()]);
    expect(await verifyChange(CONTROL, context(secretArn))).toMatchObject({ resolved: true });
    const record = await audit.getChange(changeId);
    expect(record?.before.policy).toBe(original);
    expect(JSON.parse(record!.after.policy!)).toEqual(fixed);

    await rollbackChange({ ctx: context(secretArn), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(secretArn)).toBe(original);
  });

  it('deletes a policy in which nothing trusted remains, and puts it back on rollback', async () => {
    const original = policy(partnerReads, { ...partnerReads, Sid: 'PartnerLists', Action: 'secretsmanager:ListSecretVersionIds' });
    const secretArn = await secretWith(original);
    const plan = await planChange(CONTROL, context(secretArn));
    expect(plan).toMatchObject({ applicable: true, after: { policy: null } });
    expect(plan.reason).toMatch(new RegExp(EXTERNAL));

    const changeId = uniqueName('change');
    expect((await apply(secretArn, changeId)).status).toBe('REMEDIATED');
    expect(await policyOf(secretArn)).toBeNull();

    await rollbackChange({ ctx: context(secretArn), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(secretArn)).toBe(original);
  });

  it('changes nothing on a secret only the zone of trust can read, or one with no policy', async () => {
    const internal = policy(appReads());
    for (const secretArn of [await secretWith(internal), await secretWith(null)]) {
      const before = await policyOf(secretArn);
      const changeId = uniqueName('change');
      expect((await apply(secretArn, changeId)).status).toBe('NOT_APPLICABLE');
      expect(await policyOf(secretArn)).toBe(before);
    }
  });

  it('refuses an ARN of another account before reading anything', async () => {
    const secretArn = await secretWith(policy(partnerReads));
    const foreign = secretArn.replace(stack.accountId, EXTERNAL);
    await expect(planChange(CONTROL, context(foreign))).rejects.toMatchObject({ name: 'ControlFailedError' });
    expect(await policyOf(secretArn)).toBe(policy(partnerReads));
  });
});
