/** ec2-isolate-instance against the emulator's EC2 (instances, network interfaces, security groups), through the runner. */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { QUARANTINE_TAG } from '../../lib/controls/ec2-isolate-instance';
import { getControl } from '../../lib/controls/registry';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { FindingSchema } from '../../lib/finding';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const ec2 = new EC2Client(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const parsedState = (state: Record<string, string | null>) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v === null ? null : JSON.parse(v)]));
const CONTROL = 'ec2-isolate-instance';

async function instanceIn(groupCount: number): Promise<{ instanceId: string; arn: string; groups: string[] }> {
  const groups: string[] = [];
  for (let i = 0; i < groupCount; i += 1) {
    const created = await ec2.send(new CreateSecurityGroupCommand({ GroupName: uniqueName('app-sg'), Description: 'app' }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: created.GroupId!, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    groups.push(created.GroupId!);
  }
  // Filtered: the emulator lists over a thousand AMIs, which takes seconds to serialize.
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['amzn2-ami-hvm-*'] }] }));
  const imageId = images.Images![0]!.ImageId!;
  // The instance is launched on an interface created with the groups (not with SecurityGroupIds):
  // moto 5.2.1 reports an attached interface's groups as its own plus the instance's launch groups,
  // so groups given at launch could never be taken off an interface there. On AWS both ways are the same.
  const subnetId = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets![0]!.SubnetId!;
  const eni = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: groups }));
  const run = await ec2.send(
    new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, NetworkInterfaces: [{ DeviceIndex: 0, NetworkInterfaceId: eni.NetworkInterface!.NetworkInterfaceId! }] }),
  );
  const instanceId = run.Instances![0]!.InstanceId!;
  return { instanceId, arn: `arn:aws:ec2:${stack.region}:${stack.accountId}:instance/${instanceId}`, groups: groups.sort() };
}

async function groupsOf(instanceId: string): Promise<Record<string, string[]>> {
  const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
  return Object.fromEntries((enis.NetworkInterfaces ?? []).map((eni) => [eni.NetworkInterfaceId!, (eni.Groups ?? []).map((g) => g.GroupId!).sort()]));
}

function context(arn: string): ControlContext {
  const base = controlContextFor(stack, arn, 'AWS::EC2::Instance');
  return { ...base, finding: FindingSchema.parse({ ...base.finding, source: 'guardduty', type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS' }) };
}

async function apply(ctx: ControlContext) {
  const changeId = uniqueName('change');
  return { changeId, result: await applyChange({ controlId: CONTROL, ctx, store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' }) };
}

describe('ec2-isolate-instance on the emulator', () => {
  it('moves every interface to a quarantine group with no rules, and gives the original groups back on rollback', async () => {
    const instance = await instanceIn(2);
    const original = await groupsOf(instance.instanceId);
    expect(Object.values(original)).toEqual([instance.groups]);
    const ctx = context(instance.arn);
    expect((await verifyChange(CONTROL, ctx)).resolved).toBe(false);

    const { changeId, result } = await apply(ctx);

    expect(result.status).toBe('REMEDIATED');
    const isolated = await groupsOf(instance.instanceId);
    const quarantineId = Object.values(isolated)[0]!.find((id) => !instance.groups.includes(id));
    expect(Object.values(isolated)).toEqual([[quarantineId]]);
    const quarantine = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [quarantineId!] }))).SecurityGroups![0]!;
    expect(quarantine.Tags).toContainEqual(QUARANTINE_TAG);
    expect(quarantine.IpPermissions ?? []).toEqual([]);
    expect(quarantine.IpPermissionsEgress ?? []).toEqual([]);
    expect(await verifyChange(CONTROL, ctx)).toMatchObject({ resolved: true });
    // The runner's contract: after the write, the live state is the plan's `after` (up to JSON formatting).
    expect(parsedState(await getControl(CONTROL).snapshot(ctx))).toEqual(parsedState((await audit.getChange(changeId))!.after));
    expect(JSON.parse((await audit.getChange(changeId))!.before.networkInterfaceGroups!)).toEqual(original);

    await rollbackChange({ ctx, store: audit, changeId, actor: 'auto' });
    expect(await groupsOf(instance.instanceId)).toEqual(original);
  });

  it('reuses the quarantine group of the VPC for the next instance', async () => {
    const first = await instanceIn(1);
    await apply(context(first.arn));
    const [firstQuarantine] = Object.values(await groupsOf(first.instanceId))[0]!;
    const second = await instanceIn(1);
    const { result } = await apply(context(second.arn));
    expect(result.status).toBe('REMEDIATED');
    expect(Object.values(await groupsOf(second.instanceId))).toEqual([[firstQuarantine]]);
    expect((await apply(context(second.arn))).result.status).toBe('NOT_APPLICABLE');
  });
});
