/**
 * The other control families in the emulated member account (222222222222), through
 * its member role: a security group (ec2-revoke-open-ingress) and a snapshot share
 * (ebs-snapshot-unshare). EC2 is per account in the emulator, so the admin account
 * cannot even see these resources: the fix and the rollback can only have been made
 * with the member role's credentials.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  EC2Client,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEMBER_ROLE_NAME } from '../../lib/accounts/member-role';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { MemberAccountClients } from '../../lib/aws/member-clients';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import { FindingSchema } from '../../lib/finding';
import { loadRules } from '../../lib/rules/load';
import { controlContext } from '../../lib/workflow/context';
import { uniqueName } from '../../local/fixtures';
import { actInAccount, LOCAL_MEMBER_ACCOUNT, LOCAL_MEMBER_EXTERNAL_ID } from '../../local/stack';
import { useLocalStack } from '../support/emulator';
import { securityGroupWithIngress } from '../support/security-group';

const stack = useLocalStack();
const admin = new AwsClients(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, admin);
const rules = loadRules('remediator.rules.yaml');
const members = new MemberAccountClients(admin, { adminAccountId: stack.accountId, roleName: DEFAULT_MEMBER_ROLE_NAME, externalId: LOCAL_MEMBER_EXTERNAL_ID });
const OUTSIDER = '444455556666';

let memberEc2: EC2Client;
beforeAll(async () => {
  memberEc2 = new EC2Client(await actInAccount(stack.clientConfig, LOCAL_MEMBER_ACCOUNT, 'member-families-setup'));
});

async function contextFor(arn: string, type: string, findingType: string, source: string, execution: string) {
  const finding = FindingSchema.parse({
    id: uniqueName('member-finding'),
    source,
    type: findingType,
    status: 'ACTIVE',
    severity: 'HIGH',
    resource: { arn, type, accountId: LOCAL_MEMBER_ACCOUNT, region: stack.region },
    observedAt: new Date().toISOString(),
    raw: { eventId: 'e', source: `aws.${source}` },
  });
  return await controlContext(finding, rules, stack.remediationRoleArn, admin, { memberAccounts: members, session: { execution, actor: 'auto' } });
}

async function run(controlId: string, ctx: Awaited<ReturnType<typeof contextFor>>, changeId: string) {
  return applyChange({ controlId, ctx, store: audit, changeId, executionArn: `arn:aws:states:::execution:x:${changeId}`, actor: 'auto' });
}

describe('a security group open to the world in the member account', () => {
  it('loses only its open SSH rule through the member role, and gets it back on rollback', async () => {
    const groupId = await securityGroupWithIngress(memberEc2, 'member-sg', [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        ]);
    const ingress = async () =>
      ((await memberEc2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups?.[0]?.IpPermissions ?? [])
        .flatMap((p) => (p.IpRanges ?? []).map((r) => `${p.FromPort}:${r.CidrIp}`))
        .sort();
    // The admin account does not have this group: only member credentials can change it.
    await expect(new EC2Client(stack.clientConfig).send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).rejects.toMatchObject({ name: expect.stringMatching(/NotFound/) });

    const arn = `arn:aws:ec2:${stack.region}:${LOCAL_MEMBER_ACCOUNT}:security-group/${groupId}`;
    const changeId = uniqueName('change');
    const ctx = await contextFor(arn, 'AWS::EC2::SecurityGroup', 'restricted-ssh', 'config', changeId);
    expect(ctx.clients.scope).toEqual({ accountId: LOCAL_MEMBER_ACCOUNT });
    const result = await run('ec2-revoke-open-ingress', ctx, changeId);

    expect(result.status).toBe('REMEDIATED');
    expect(await ingress()).toEqual(['443:10.0.0.0/8']);
    expect(await verifyChange('ec2-revoke-open-ingress', ctx)).toMatchObject({ resolved: true });
    await rollbackChange({ ctx, store: audit, changeId, actor: 'slack:U0ONCALL', holder: `arn:aws:states:::execution:x:${uniqueName('rb')}` });
    expect(await ingress()).toEqual(['22:0.0.0.0/0', '443:10.0.0.0/8']);
  });
});

describe('a snapshot of the member account shared with the public and an outside account', () => {
  it('is unshared through the member role, and shared again on rollback', async () => {
    const volume = await memberEc2.send(new CreateVolumeCommand({ AvailabilityZone: `${stack.region}a`, Size: 1 }));
    const snapshotId = (await memberEc2.send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId! }))).SnapshotId!;
    await memberEc2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: [OUTSIDER], GroupNames: ['all'] }));
    const shares = async () =>
      ((await memberEc2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }))).CreateVolumePermissions ?? [])
        .map((p) => p.Group ?? p.UserId!)
        .sort();
    const original = await shares();
    expect(original).toEqual([OUTSIDER, 'all']);

    const arn = `arn:aws:ec2:${stack.region}:${LOCAL_MEMBER_ACCOUNT}:snapshot/${snapshotId}`;
    const changeId = uniqueName('change');
    const ctx = await contextFor(arn, 'AWS::EC2::Snapshot', 'ExternalAccess', 'access-analyzer', changeId);
    const result = await run('ebs-snapshot-unshare', ctx, changeId);

    expect(result.status).toBe('REMEDIATED');
    expect(await shares()).toEqual([]);
    expect(await verifyChange('ebs-snapshot-unshare', ctx)).toMatchObject({ resolved: true });
    await rollbackChange({ ctx, store: audit, changeId, actor: 'slack:U0ONCALL', holder: `arn:aws:states:::execution:x:${uniqueName('rb')}` });
    expect(await shares()).toEqual(original);
  });
});
