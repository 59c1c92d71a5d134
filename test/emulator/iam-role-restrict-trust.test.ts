/**
 * iam-role-restrict-trust against the emulator's IAM, through the runner:
 * the external account leaves the trust policy, trusted principals stay, the
 * decoded trust policy text comes back byte for byte; a role that trusts only
 * outsiders is never emptied.
 */
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { decodePolicyDocument } from '../../lib/controls/iam-role-restrict-trust';
import { getControl } from '../../lib/controls/registry';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';
import { expectWithinPermissions, recordCommands } from '../support/recorded-commands';

const stack = useLocalStack();
const recorder = recordCommands();
const iam = new IAMClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 'iam-role-restrict-trust';

const context = (roleArn: string): ControlContext => recorder.record(controlContextFor(stack, roleArn, 'AWS::IAM::Role'));

async function roleWith(trust: string): Promise<string> {
  const created = await iam.send(new CreateRoleCommand({ RoleName: uniqueName('ctl-role'), Path: '/team/', AssumeRolePolicyDocument: trust }));
  return created.Role!.Arn!;
}

const trustOf = async (roleArn: string) => decodePolicyDocument((await iam.send(new GetRoleCommand({ RoleName: roleArn.split('/').pop()! }))).Role!.AssumeRolePolicyDocument!);

async function apply(roleArn: string) {
  const changeId = uniqueName('change');
  const result = await applyChange({ controlId: CONTROL, ctx: context(roleArn), store: audit, changeId, executionArn: `arn:aws:states:::execution:x:${changeId}`, actor: 'auto' });
  return { changeId, result };
}

describe('iam-role-restrict-trust on the emulator', () => {
  it('removes the external account from the trust policy, keeps the service and the own account, and rolls back byte for byte', async () => {
    const trust = `{"Version":"2012-10-17","Statement":[
 {"Sid":"Lambda","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},
 {"Sid":"Ops","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::${stack.accountId}:root","arn:aws:iam::444455556666:root"]},"Action":"sts:AssumeRole"}]}`;
    const roleArn = await roleWith(trust);
    expect((await verifyChange(CONTROL, context(roleArn))).resolved).toBe(false);

    const { changeId, result } = await apply(roleArn);

    expect(result.status).toBe('REMEDIATED');
    expect(result.summary).toMatch(/444455556666/);
    const fixed = JSON.parse(await trustOf(roleArn));
    expect(fixed.Statement[0]).toEqual(JSON.parse(trust).Statement[0]);
    expect(fixed.Statement[1].Principal.AWS).toEqual([`arn:aws:iam::${stack.accountId}:root`]);
    const record = await audit.getChange(changeId);
    expect(record?.before.policy).toBe(trust);
    expect(await getControl(CONTROL).snapshot(context(roleArn))).toEqual(record?.after);
    expect(await verifyChange(CONTROL, context(roleArn))).toMatchObject({ resolved: true });

    await rollbackChange({ ctx: context(roleArn), store: audit, changeId, actor: 'auto' });
    expect(await trustOf(roleArn)).toBe(trust);
  });

  it('never leaves a role trusting no one: ControlFailedError (EMPTY_TRUST_POLICY), nothing written, no change record', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' }] });
    const roleArn = await roleWith(trust);
    const changeId = uniqueName('change');
    await expect(
      applyChange({ controlId: CONTROL, ctx: context(roleArn), store: audit, changeId, executionArn: `arn:aws:states:::execution:x:${changeId}`, actor: 'auto' }),
    ).rejects.toMatchObject({ name: 'ControlFailedError', context: { reason: 'EMPTY_TRUST_POLICY' } });
    expect(await audit.getChange(changeId)).toBeUndefined();
    expect(await trustOf(roleArn)).toBe(trust);
  });

  it('refuses a role ARN of another partition before calling IAM', async () => {
    const calls = recorder.calls.length;
    const ctx = context(`arn:aws-cn:iam::${stack.accountId}:role/x`);
    await expect(getControl(CONTROL).plan(ctx)).rejects.toMatchObject({ name: 'ControlFailedError', message: expect.stringMatching(/partition aws-cn/) });
    expect(recorder.calls.length).toBe(calls);
  });

  it('sends only commands whose IAM actions it declares', () => {
    expectWithinPermissions(recorder, getControl(CONTROL));
    expect(recorder.actions()).toEqual(['iam:GetRole', 'iam:UpdateAssumeRolePolicy']);
  });
});
