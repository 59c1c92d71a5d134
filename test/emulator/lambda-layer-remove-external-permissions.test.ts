/**
 * The Lambda layer control against the emulator's Lambda, through the runner.
 * Rollback is semantic (permissions are re-added one by one with
 * AddLayerVersionPermission): the test compares the restored policy statement by
 * statement (same Sids, principal, action, conditions), not byte for byte.
 * moto 5.2.1 keeps AddLayerVersionPermission's OrganizationId as a top-level
 * statement key instead of an aws:PrincipalOrgID condition, so organization
 * grants are not exercised here.
 */
import { AddLayerVersionPermissionCommand, GetLayerVersionPolicyCommand, LambdaClient, PublishLayerVersionCommand, type AddLayerVersionPermissionRequest } from '@aws-sdk/client-lambda';
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
const lambda = new LambdaClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 'lambda-layer-remove-external-permissions';
const EXTERNAL = '444455556666';

type Permission = Omit<AddLayerVersionPermissionRequest, 'LayerName' | 'VersionNumber'>;

async function layerWith(permissions: Permission[]): Promise<string> {
  const published = await lambda.send(new PublishLayerVersionCommand({ LayerName: uniqueName('remediator-test'), Content: { ZipFile: Buffer.from('placeholder') } }));
  for (const permission of permissions) {
    await lambda.send(new AddLayerVersionPermissionCommand({ LayerName: published.LayerArn!, VersionNumber: published.Version!, ...permission }));
  }
  return published.LayerVersionArn!;
}

async function policyOf(layerVersionArn: string): Promise<string | null> {
  const [, layerArn, version] = /^(.*):(\d+)$/.exec(layerVersionArn)!;
  try {
    return (await lambda.send(new GetLayerVersionPolicyCommand({ LayerName: layerArn, VersionNumber: Number(version) }))).Policy ?? null;
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') return null;
    throw error;
  }
}

const statementsBySid = (policy: string | null) => Object.fromEntries(((policy ? JSON.parse(policy).Statement : []) as { Sid: string }[]).map((s) => [s.Sid, s]));
const context = (arn: string): ControlContext => controlContextFor(stack, arn, 'AWS::Lambda::LayerVersion');
const apply = (arn: string, changeId: string) => applyChange({ controlId: CONTROL, ctx: context(arn), store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' });

const own = (): Permission => ({ StatementId: 'OwnAccount', Action: 'lambda:GetLayerVersion', Principal: `arn:aws:iam::${stack.accountId}:root` });
const everyone: Permission = { StatementId: 'Everyone', Action: 'lambda:GetLayerVersion', Principal: '*' };
const partner: Permission = { StatementId: 'Partner', Action: 'lambda:GetLayerVersion', Principal: `arn:aws:iam::${EXTERNAL}:root` };

describe('lambda-layer-remove-external-permissions on the emulator', () => {
  it('removes the public and cross-account permissions by Sid, keeps the trusted one, and rolls back to the same statements', async () => {
    const arn = await layerWith([own(), everyone, partner]);
    const original = await policyOf(arn);
    expect((await verifyChange(CONTROL, context(arn))).resolved).toBe(false);

    const changeId = uniqueName('change');
    const result = await apply(arn, changeId);

    expect(result.status).toBe('REMEDIATED');
    expect(result.summary).toMatch(/remove permissions Everyone, Partner\./);
    expect(statementsBySid(await policyOf(arn))).toEqual({ OwnAccount: statementsBySid(original).OwnAccount });
    expect(await verifyChange(CONTROL, context(arn))).toMatchObject({ resolved: true });
    const record = await audit.getChange(changeId);
    expect(record?.before.policy).toBe(original);
    expect(JSON.parse((await policyOf(arn))!)).toEqual(JSON.parse(record!.after.policy!));

    await rollbackChange({ ctx: context(arn), store: audit, changeId, actor: 'auto' });
    expect(statementsBySid(await policyOf(arn))).toEqual(statementsBySid(original));
    expect((await verifyChange(CONTROL, context(arn))).resolved).toBe(false);
  });

  it('removes the last permission and adds it back', async () => {
    const arn = await layerWith([everyone]);
    const original = await policyOf(arn);
    expect(await planChange(CONTROL, context(arn))).toMatchObject({ applicable: true, after: { policy: null } });

    const changeId = uniqueName('change');
    expect((await apply(arn, changeId)).status).toBe('REMEDIATED');
    expect(await policyOf(arn)).toBeNull();

    await rollbackChange({ ctx: context(arn), store: audit, changeId, actor: 'auto' });
    expect(statementsBySid(await policyOf(arn))).toEqual(statementsBySid(original));
  });

  it('changes nothing on a layer only the zone of trust can use, or one with no policy', async () => {
    for (const arn of [await layerWith([own()]), await layerWith([])]) {
      const before = await policyOf(arn);
      expect((await apply(arn, uniqueName('change'))).status).toBe('NOT_APPLICABLE');
      expect(await policyOf(arn)).toBe(before);
    }
  });
});
