/**
 * A rollback restores what the change selected, even when it is asked for by a request that knows
 * only the resource (`remediate rollback`: a manual finding, no rule, no ports, no access key).
 * The change record keeps the finding's selection (source, type, labels); without it,
 * ec2-revoke-open-ingress restored "every world-open rule" and revoked the ones the change never touched.
 */
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { applyChange, rollbackChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { FindingSchema } from '../../lib/finding';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';
import { securityGroupWithIngress } from '../support/security-group';

const stack = useLocalStack();
const ec2 = new EC2Client(stack.clientConfig);
const iam = new IAMClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));

/** The context of a finding of this source, type and labels about the resource. */
function contextFor(arn: string, resourceType: string, finding: { source: string; type: string; labels?: Record<string, string> }): ControlContext {
  const base = controlContextFor(stack, arn, resourceType);
  return { ...base, finding: FindingSchema.parse({ ...base.finding, ...finding }) };
}

/** What `remediate rollback` hands the control: a manual request about the resource, nothing more. */
const manualRequestFor = (arn: string, resourceType: string) => contextFor(arn, resourceType, { source: 'manual', type: 'ManualRemediation' });

async function applyAndRollBack(controlId: string, applyCtx: ControlContext, rollbackCtx: ControlContext): Promise<void> {
  const changeId = uniqueName('change');
  const result = await applyChange({ controlId, ctx: applyCtx, store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' });
  expect(result.status).toBe('REMEDIATED');
  expect((await audit.getChange(changeId))?.selection).toEqual({ source: applyCtx.finding.source, type: applyCtx.finding.type, labels: applyCtx.finding.labels });
  const rolledBack = await rollbackChange({ ctx: rollbackCtx, store: audit, changeId, actor: 'cli:operator' });
  expect(rolledBack.status).toBe('ROLLED_BACK');
}

describe('a rollback asked for by a manual request', () => {
  it('ec2-revoke-open-ingress (restricted-ssh): puts port 22 back and leaves the world-open 443 rule alone', async () => {
    const groupId = await securityGroupWithIngress(ec2, 'sel-sg', [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ]);
    const worldPorts = async () =>
      ((await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0]!.IpPermissions ?? [])
        .filter((p) => (p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0'))
        .map((p) => p.FromPort)
        .sort();
    const arn = `arn:aws:ec2:${stack.region}:${stack.accountId}:security-group/${groupId}`;

    await applyAndRollBack('ec2-revoke-open-ingress', contextFor(arn, 'AWS::EC2::SecurityGroup', { source: 'config', type: 'restricted-ssh' }), manualRequestFor(arn, 'AWS::EC2::SecurityGroup'));

    expect(await worldPorts()).toEqual([22, 443]);
  });

  it('iam-deactivate-access-key (GuardDuty, one key named): reactivates that key and records only that key as overwritten', async () => {
    const userName = uniqueName('sel-user');
    const userArn = (await iam.send(new CreateUserCommand({ UserName: userName }))).User!.Arn!;
    const named = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!.AccessKeyId!;
    const other = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!.AccessKeyId!;
    const changeId = uniqueName('change');
    const applyCtx = contextFor(userArn, 'AWS::IAM::User', { source: 'guardduty', type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', labels: { accessKeyId: named } });
    await applyChange({ controlId: 'iam-deactivate-access-key', ctx: applyCtx, store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' });

    const rolledBack = await rollbackChange({ ctx: manualRequestFor(userArn, 'AWS::IAM::User'), store: audit, changeId, actor: 'cli:operator' });

    expect(JSON.parse(rolledBack.rollbackOverwrote!.accessKeys!)).toEqual({ [named]: 'Inactive' });
    const statuses = Object.fromEntries(((await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status]));
    expect(statuses).toEqual({ [named]: 'Active', [other]: 'Active' });
  });
});
