/** iam-revoke-role-sessions against the emulator's IAM, through the runner. */
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { awsErrorName } from '../../lib/aws/errors';
import { REVOKE_POLICY_NAME, revokedBefore } from '../../lib/controls/iam-revoke-role-sessions';
import { getControl } from '../../lib/controls/registry';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { FindingSchema } from '../../lib/finding';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const iam = new IAMClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const parsedState = (state: Record<string, string | null>) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v === null ? null : JSON.parse(v)]));
const CONTROL = 'iam-revoke-role-sessions';

async function role(): Promise<{ name: string; arn: string }> {
  const name = uniqueName('web-instance-role');
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const created = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  return { name, arn: created.Role!.Arn! };
}

const inlinePolicy = (roleName: string) =>
  iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME })).then(
    (r) => decodeURIComponent(r.PolicyDocument!),
    (error: unknown) => {
      if (['NoSuchEntity', 'NoSuchEntityException'].includes(awsErrorName(error))) return null;
      throw error;
    },
  );

function context(arn: string, observedAt = new Date().toISOString()): ControlContext {
  const base = controlContextFor(stack, arn, 'AWS::IAM::Role');
  return { ...base, finding: FindingSchema.parse({ ...base.finding, source: 'guardduty', type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', observedAt }) };
}

async function apply(ctx: ControlContext) {
  const changeId = uniqueName('change');
  return { changeId, result: await applyChange({ controlId: CONTROL, ctx, store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' }) };
}

describe('iam-revoke-role-sessions on the emulator', () => {
  it('puts AWSRevokeOlderSessions denying tokens issued before now, and deletes it on rollback', async () => {
    const { name, arn } = await role();
    const observedAt = new Date(Date.now() - 60_000).toISOString();
    const ctx = context(arn, observedAt);
    expect((await verifyChange(CONTROL, ctx)).resolved).toBe(false);

    const { changeId, result } = await apply(ctx);

    expect(result.status).toBe('REMEDIATED');
    const written = await inlinePolicy(name);
    expect(JSON.parse(written!).Statement[0]).toMatchObject({ Effect: 'Deny', Action: ['*'], Resource: ['*'] });
    expect(revokedBefore(written)!.getTime()).toBeGreaterThanOrEqual(new Date(observedAt).getTime());
    expect(await verifyChange(CONTROL, ctx)).toMatchObject({ resolved: true });
    // The runner's contract: after the write, the live state is the plan's `after` (up to JSON formatting).
    expect(parsedState(await getControl(CONTROL).snapshot(ctx))).toEqual(parsedState((await audit.getChange(changeId))!.after));
    expect((await audit.getChange(changeId))?.before.policy).toBeNull();
    // A second delivery of the same finding finds the sessions revoked already.
    expect((await apply(ctx)).result.status).toBe('NOT_APPLICABLE');

    await rollbackChange({ ctx, store: audit, changeId, actor: 'auto' });
    expect(await inlinePolicy(name)).toBeNull();
  });

  it('replaces an older revocation and puts its exact text back on rollback', async () => {
    const { name, arn } = await role();
    const older = JSON.stringify(
      { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': '2025-01-01T00:00:00.000Z' } } }] },
      null,
      2,
    );
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: older }));
    const ctx = context(arn);
    const { changeId, result } = await apply(ctx);
    expect(result.status).toBe('REMEDIATED');
    expect((await audit.getChange(changeId))?.before.policy).toBe(older);
    expect(await inlinePolicy(name)).not.toBe(older);
    await rollbackChange({ ctx, store: audit, changeId, actor: 'auto' });
    expect(await inlinePolicy(name)).toBe(older);
  });
});
