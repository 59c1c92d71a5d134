/**
 * ec2-isolate-instance — for GuardDuty findings where the instance itself misbehaves (crypto
 * mining, backdoor, trojan): move every network interface of the instance into a quarantine
 * security group with no ingress and no egress rule, in the instance's VPC. The group is found by
 * its tag (`remediator:quarantine` = `true`) or created once per VPC and kept (it is reused, and
 * a rollback leaves it in place). Security groups are stateful: connections already tracked may
 * live on until they go idle; new ones are refused.
 *
 * State: canonical JSON `{ eniId: [sorted group ids] }` for every interface of the instance, where
 * the quarantine group is written `@quarantine` (its id is not known before the first write, and
 * plan never writes). `before` holds the original group ids; rollback gives each interface its
 * groups back.
 */
import {
  CreateSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type NetworkInterface,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { toRemediatorError } from '../aws/errors';
import { ControlFailedError, ResourceNotFoundError } from '../errors';
import { canonicalJson, instanceIdOf, sortedUnique } from './resource-ids';
import type { ControlContext, ControlPlan, CorrectiveControl, ResourceState, VerifyOutcome } from './types';
import { controlFacts } from './catalog';

export const QUARANTINE_TAG = { Key: 'remediator:quarantine', Value: 'true' } as const;
export const QUARANTINE_MARKER = '@quarantine';

type GroupsByEni = Record<string, string[]>;

interface InstanceNetwork {
  vpcId: string;
  interfaces: NetworkInterface[];
  quarantine: SecurityGroup | undefined;
}

const wrap = (ctx: ControlContext, doing: string) => (error: unknown) => {
  throw toRemediatorError(error, `${doing} (${ctx.finding.resource.arn})`, { resourceArn: ctx.finding.resource.arn });
};

async function findQuarantineGroup(ctx: ControlContext, vpcId: string): Promise<SecurityGroup | undefined> {
  const result = await ctx.clients
    .get(EC2Client)
    .send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: `tag:${QUARANTINE_TAG.Key}`, Values: [QUARANTINE_TAG.Value] }] }))
    .catch(wrap(ctx, `looking for the quarantine security group of ${vpcId}`));
  return [...(result.SecurityGroups ?? [])].sort((a, b) => (a.GroupId! < b.GroupId! ? -1 : 1))[0];
}

async function readNetwork(ctx: ControlContext): Promise<InstanceNetwork> {
  const instanceId = instanceIdOf(ctx);
  const ec2 = ctx.clients.get(EC2Client);
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })).catch(wrap(ctx, `describing ${instanceId}`));
  const instance = described.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  if (!instance) throw new ResourceNotFoundError(`instance ${instanceId} does not exist`, { context: { resourceArn: ctx.finding.resource.arn } });
  if (!instance.VpcId) throw new ControlFailedError(`instance ${instanceId} is not in a VPC: it cannot be isolated with security groups`);
  const enis = await ec2
    .send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }))
    .catch(wrap(ctx, `listing the network interfaces of ${instanceId}`));
  const interfaces = enis.NetworkInterfaces ?? [];
  if (!interfaces.length) throw new ControlFailedError(`instance ${instanceId} has no network interface to isolate`);
  return { vpcId: instance.VpcId, interfaces, quarantine: await findQuarantineGroup(ctx, instance.VpcId) };
}

function groupsByEni(network: InstanceNetwork): GroupsByEni {
  const marker = (id: string) => (id === network.quarantine?.GroupId ? QUARANTINE_MARKER : id);
  return Object.fromEntries(
    network.interfaces.map((eni) => [eni.NetworkInterfaceId!, sortedUnique((eni.Groups ?? []).map((g) => marker(g.GroupId!)))]),
  );
}

const stateOf = (groups: GroupsByEni): ResourceState => ({ networkInterfaceGroups: canonicalJson(groups) });
const parse = (text: string | null | undefined): GroupsByEni => (text ? (JSON.parse(text) as GroupsByEni) : {});
const isolated = (groups: GroupsByEni) => Object.values(groups).every((ids) => ids.length === 1 && ids[0] === QUARANTINE_MARKER);
const hasRules = (group: SecurityGroup | undefined) => Boolean(group && ((group.IpPermissions ?? []).length || (group.IpPermissionsEgress ?? []).length));

/** The quarantine group of the VPC, created when there is none, emptied of any rule. */
async function ensureQuarantineGroup(ctx: ControlContext, network: InstanceNetwork): Promise<string> {
  const ec2 = ctx.clients.get(EC2Client);
  let group = network.quarantine;
  if (!group) {
    const created = await ec2
      .send(
        new CreateSecurityGroupCommand({
          GroupName: `remediator-quarantine-${network.vpcId}`,
          Description: 'Remediator quarantine: no ingress, no egress',
          VpcId: network.vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ ...QUARANTINE_TAG }] }],
        }),
      )
      .catch(wrap(ctx, `creating the quarantine security group in ${network.vpcId}`));
    group = (await findQuarantineGroup(ctx, network.vpcId)) ?? { GroupId: created.GroupId!, IpPermissions: [], IpPermissionsEgress: [] };
  }
  const groupId = group.GroupId!;
  // A new group allows all egress; a reused one may have been given rules since. Neither may stay.
  if ((group.IpPermissionsEgress ?? []).length) {
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: group.IpPermissionsEgress })).catch(wrap(ctx, `emptying egress of ${groupId}`));
  }
  if ((group.IpPermissions ?? []).length) {
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: group.IpPermissions })).catch(wrap(ctx, `emptying ingress of ${groupId}`));
  }
  return groupId;
}

async function setGroups(ctx: ControlContext, eniId: string, groupIds: string[]): Promise<void> {
  await ctx.clients
    .get(EC2Client)
    .send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, Groups: groupIds }))
    .catch(wrap(ctx, `setting the security groups of ${eniId}`));
}

export const ec2IsolateInstance: CorrectiveControl = {
  ...controlFacts('ec2-isolate-instance'),

  async snapshot(ctx) {
    return stateOf(groupsByEni(await readNetwork(ctx)));
  },

  async plan(ctx): Promise<ControlPlan> {
    const network = await readNetwork(ctx);
    const groups = groupsByEni(network);
    const before = stateOf(groups);
    const instance = ctx.finding.resource.arn;
    if (isolated(groups) && !hasRules(network.quarantine)) {
      return { applicable: false, reason: 'every network interface is already in the quarantine group', before, after: before, summary: `No change: ${instance} is already isolated.` };
    }
    const after = Object.fromEntries(Object.keys(groups).map((eni) => [eni, [QUARANTINE_MARKER]]));
    return {
      applicable: true,
      reason: `${Object.keys(groups).length} network interface(s) still reach the network through ${sortedUnique(Object.values(groups).flat()).join(', ')}`,
      before,
      after: stateOf(after),
      summary: `Isolate ${instance}: move ${Object.keys(groups).join(', ')} from their security groups to the quarantine group of ${network.vpcId} (${network.quarantine?.GroupId ?? 'created on apply'}; no ingress, no egress).`,
    };
  },

  /** Only the interfaces the plan named (and the approver saw) move. */
  async write(ctx, plan) {
    const network = await readNetwork(ctx);
    const quarantineId = await ensureQuarantineGroup(ctx, network);
    for (const eniId of Object.keys(parse(plan.after.networkInterfaceGroups))) await setGroups(ctx, eniId, [quarantineId]);
  },

  async verify(ctx): Promise<VerifyOutcome> {
    const network = await readNetwork(ctx);
    const groups = groupsByEni(network);
    const ok = isolated(groups) && !hasRules(network.quarantine);
    return {
      resolved: ok,
      reason: ok ? 'every network interface is in the quarantine group, which has no rule' : 'the instance still has a path to the network',
      observed: stateOf(groups),
    };
  },

  async restore(ctx, before) {
    const wanted = parse(before.networkInterfaceGroups);
    const network = await readNetwork(ctx);
    const needsQuarantine = Object.values(wanted).some((ids) => ids.includes(QUARANTINE_MARKER));
    const quarantineId = needsQuarantine ? await ensureQuarantineGroup(ctx, network) : undefined;
    const present = new Set(network.interfaces.map((eni) => eni.NetworkInterfaceId));
    for (const [eniId, ids] of Object.entries(wanted)) {
      if (!present.has(eniId)) throw new ControlFailedError(`network interface ${eniId} is no longer attached to ${ctx.finding.resource.arn}: its groups cannot be restored`);
      await setGroups(ctx, eniId, ids.map((id) => (id === QUARANTINE_MARKER ? quarantineId! : id)));
    }
  },
};
