/** ec2-revoke-open-ingress against the emulator's EC2 security groups, through the runner. */
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, DescribeSecurityGroupsCommand, EC2Client, type IpPermission } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { getControl } from '../../lib/controls/registry';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import { canonicalJson } from '../../lib/controls/resource-ids';
import type { ControlContext } from '../../lib/controls/types';
import { FindingSchema } from '../../lib/finding';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const ec2 = new EC2Client(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const parsedState = (state: Record<string, string | null>) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v === null ? null : JSON.parse(v)]));
const CONTROL = 'ec2-revoke-open-ingress';

const OPEN: IpPermission[] = [
  { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh from anywhere' }, { CidrIp: '10.0.0.0/8' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
  { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
  { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
];

async function openGroup(): Promise<{ id: string; arn: string }> {
  const created = await ec2.send(new CreateSecurityGroupCommand({ GroupName: uniqueName('open-sg'), Description: 'remediator test group' }));
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: created.GroupId!, IpPermissions: OPEN }));
  return { id: created.GroupId!, arn: `arn:aws:ec2:${stack.region}:${stack.accountId}:security-group/${created.GroupId}` };
}

/** The group's ingress, one entry per protocol / range / source, sorted: the order EC2 lists rules in is not meaningful. */
async function ingressOf(groupId: string): Promise<string[]> {
  const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0]!;
  return (group.IpPermissions ?? [])
    .flatMap((p) => [
      ...(p.IpRanges ?? []).map((r) => canonicalJson({ p: p.IpProtocol, from: p.FromPort, to: p.ToPort, cidr: r.CidrIp, d: r.Description })),
      ...(p.Ipv6Ranges ?? []).map((r) => canonicalJson({ p: p.IpProtocol, from: p.FromPort, to: p.ToPort, cidr: r.CidrIpv6, d: r.Description })),
    ])
    .sort();
}

function context(arn: string, rule: string, labels: Record<string, string> = {}): ControlContext {
  const base = controlContextFor(stack, arn, 'AWS::EC2::SecurityGroup');
  return { ...base, finding: FindingSchema.parse({ ...base.finding, source: 'config', type: rule, labels }) };
}

async function apply(ctx: ControlContext) {
  const changeId = uniqueName('change');
  const result = await applyChange({ controlId: CONTROL, ctx, store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' });
  return { changeId, result };
}

describe('ec2-revoke-open-ingress on the emulator', () => {
  it('restricted-ssh: revokes only port 22 from 0.0.0.0/0 and ::/0, keeps the rest, rolls back exactly', async () => {
    const group = await openGroup();
    const original = await ingressOf(group.id);
    const ctx = context(group.arn, 'restricted-ssh');
    expect((await verifyChange(CONTROL, ctx)).resolved).toBe(false);

    const { changeId, result } = await apply(ctx);

    expect(result.status).toBe('REMEDIATED');
    const after = await ingressOf(group.id);
    expect(after).toEqual(original.filter((rule) => !(rule.includes('"from":22') && (rule.includes('0.0.0.0/0') || rule.includes('::/0')))));
    expect(after.some((rule) => rule.includes('10.0.0.0/8'))).toBe(true);
    expect(after.some((rule) => rule.includes('"from":443'))).toBe(true);
    expect(await verifyChange(CONTROL, ctx)).toMatchObject({ resolved: true });
    // The runner's contract: after the write, the live state is the plan's `after` (up to JSON formatting).
    expect(parsedState(await getControl(CONTROL).snapshot(ctx))).toEqual(parsedState((await audit.getChange(changeId))!.after));
    const record = await audit.getChange(changeId);
    expect(JSON.parse(record!.before.worldOpenIngress!)).toEqual([
      { FromPort: 22, IpProtocol: 'tcp', IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh from anywhere' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }], ToPort: 22 },
    ]);
    expect(record!.after.worldOpenIngress).toBe('[]');

    await rollbackChange({ ctx, store: audit, changeId, actor: 'auto' });
    expect(await ingressOf(group.id)).toEqual(original);
  });

  it('restricted-common-ports: revokes the default blocked ports (3389 here), not 22 or 443', async () => {
    const group = await openGroup();
    const original = await ingressOf(group.id);
    const { changeId, result } = await apply(context(group.arn, 'restricted-common-ports'));
    expect(result.status).toBe('REMEDIATED');
    const after = await ingressOf(group.id);
    expect(original.filter((rule) => !after.includes(rule))).toEqual([canonicalJson({ p: 'tcp', from: 3389, to: 3389, cidr: '0.0.0.0/0' })]);
    await rollbackChange({ ctx: context(group.arn, 'restricted-common-ports'), store: audit, changeId, actor: 'auto' });
    expect(await ingressOf(group.id)).toEqual(original);
  });

  it('vpc-sg-open-only-to-authorized-ports: keeps the authorized 443 and revokes every other world-open rule', async () => {
    const group = await openGroup();
    const ctx = context(group.arn, 'vpc-sg-open-only-to-authorized-ports', { authorizedTcpPorts: '443' });
    const { result } = await apply(ctx);
    expect(result.status).toBe('REMEDIATED');
    const after = await ingressOf(group.id);
    expect(after.filter((rule) => rule.includes('0.0.0.0/0') || rule.includes('::/0'))).toEqual([canonicalJson({ p: 'tcp', from: 443, to: 443, cidr: '0.0.0.0/0' })]);
    expect(after.some((rule) => rule.includes('10.0.0.0/8'))).toBe(true);
  });

  it('changes nothing when no world-open rule is on the named ports', async () => {
    const group = await openGroup();
    const original = await ingressOf(group.id);
    const { result } = await apply(context(group.arn, 'restricted-common-ports', { blockedPorts: '5432, 6379' }));
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(await ingressOf(group.id)).toEqual(original);
  });
});
