/**
 * ec2-revoke-open-ingress — revoke only the ingress rules of a security group that are open to the
 * world (0.0.0.0/0, ::/0) on the ports the finding names; every other rule, CIDR and group
 * reference stays. Which ports, by Config rule:
 * - `restricted-ssh`: TCP 22;
 * - `restricted-common-ports`: the rule's blocked TCP ports, from the finding's labels `blockedPorts`
 *   (CSV) or `blockedPort1`…`blockedPort5`, else the rule's defaults 20, 21, 3389, 3306, 4333;
 * - `vpc-sg-open-only-to-authorized-ports`: every world-open rule not inside the authorized ports
 *   (labels `authorizedTcpPorts` / `authorizedUdpPorts`, CSV of ports and ranges `1-1024`; none
 *   authorized when absent);
 * - any finding with a `ports` label (CSV): those ports, any protocol;
 * - otherwise: every world-open ingress rule.
 * A rule whose range overlaps a named port is revoked whole (its world CIDR only): a security group
 * rule cannot be split without authorizing new ones. `before` is the exact list of revoked
 * permissions (canonical JSON); rollback authorizes them again, descriptions included.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { toRemediatorError } from '../aws/errors';
import { ResourceNotFoundError } from '../errors';
import type { Finding } from '../finding';
import { configRuleKey } from './mapping';
import { canonicalJson, securityGroupIdOf } from './resource-ids';
import type { ControlContext, ControlPlan, CorrectiveControl, ResourceState, VerifyOutcome } from './types';
import { controlFacts } from './catalog';

const WORLD_V4 = '0.0.0.0/0';
const WORLD_V6 = '::/0';

/** One world-open ingress rule: one protocol / port range and one world CIDR. */
export interface WorldRule {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  CidrIp?: string;
  CidrIpv6?: string;
  Description?: string;
}

type Range = readonly [number, number];

/** Which world-open rules a finding asks to close. */
export interface PortSelection {
  describe: string;
  selects(rule: WorldRule): boolean;
}

export const RESTRICTED_COMMON_PORTS_DEFAULTS: readonly number[] = [20, 21, 3389, 3306, 4333];

const PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };
const protocolOf = (rule: WorldRule) => PROTOCOL_NAMES[rule.IpProtocol] ?? rule.IpProtocol.toLowerCase();

function rangeOf(rule: WorldRule): Range {
  if (rule.IpProtocol === '-1' || rule.FromPort === undefined || rule.ToPort === undefined || rule.FromPort < 0) return [0, 65535];
  return [rule.FromPort, rule.ToPort];
}

/** Ports and ranges from a CSV label (`22, 3389, 8000-8100`); invalid entries are ignored. */
export function parsePorts(csv: string | undefined): Range[] {
  return (csv ?? '')
    .split(',')
    .map((part) => part.trim())
    .map((part) => /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m): Range => [Number(m[1]), Number(m[2] ?? m[1])])
    .filter(([from, to]) => from <= to && to <= 65535);
}

const overlaps = (a: Range, b: Range) => a[0] <= b[1] && b[0] <= a[1];

function overlapsPorts(rule: WorldRule, ports: Range[], protocols: readonly string[] | null): boolean {
  if (rule.IpProtocol !== '-1' && protocols && !protocols.includes(protocolOf(rule))) return false;
  return ports.some((port) => overlaps(rangeOf(rule), port));
}

/** Whether [from, to] lies inside the union of `allowed`. */
function insideUnion(range: Range, allowed: Range[]): boolean {
  let next = range[0]; // the first port of `range` not covered yet
  for (const [from, to] of [...allowed].sort((a, b) => a[0] - b[0])) {
    if (from > next) return false;
    next = Math.max(next, to + 1);
    if (next > range[1]) return true;
  }
  return false;
}

const describePorts = (ports: Range[]) => ports.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ');

/** What the finding names: a table keyed by Config rule, with the `ports` label and "everything" as fallbacks. */
export function portSelectionFor(finding: Finding): PortSelection {
  const labels = finding.labels;
  const rule = finding.source === 'config' || finding.source === 'security-hub' ? configRuleKey(finding.type) : finding.type;
  const named = parsePorts(labels.ports);
  if (named.length) return { describe: `ports ${describePorts(named)}`, selects: (r) => overlapsPorts(r, named, null) };
  const byRule = SELECTIONS[rule];
  if (byRule) return byRule(labels);
  return { describe: 'every port', selects: () => true };
}

const SELECTIONS: Record<string, (labels: Record<string, string>) => PortSelection> = {
  'restricted-ssh': () => ({ describe: 'TCP port 22', selects: (r) => overlapsPorts(r, [[22, 22]], ['tcp']) }),
  'restricted-common-ports': (labels) => {
    const listed = [
      ...parsePorts(labels.blockedPorts),
      ...[1, 2, 3, 4, 5].flatMap((n) => parsePorts(labels[`blockedPort${n}`])),
    ];
    const ports = listed.length ? listed : RESTRICTED_COMMON_PORTS_DEFAULTS.map((p): Range => [p, p]);
    return { describe: `TCP ports ${describePorts(ports)}`, selects: (r) => overlapsPorts(r, ports, ['tcp']) };
  },
  'vpc-sg-open-only-to-authorized-ports': (labels) => {
    const authorized: Record<string, Range[]> = { tcp: parsePorts(labels.authorizedTcpPorts), udp: parsePorts(labels.authorizedUdpPorts) };
    return {
      describe: `every port outside the authorized ones (TCP: ${describePorts(authorized.tcp!) || 'none'}; UDP: ${describePorts(authorized.udp!) || 'none'})`,
      selects: (r) => {
        const allowed = authorized[protocolOf(r)];
        return r.IpProtocol === '-1' || !allowed || !insideUnion(rangeOf(r), allowed);
      },
    };
  },
};

/** Every world-open ingress rule of the group, one per protocol / range / world CIDR. */
export function worldRules(permissions: IpPermission[]): WorldRule[] {
  return permissions.flatMap((p) => {
    const base = { IpProtocol: p.IpProtocol ?? '-1', ...(p.FromPort !== undefined ? { FromPort: p.FromPort } : {}), ...(p.ToPort !== undefined ? { ToPort: p.ToPort } : {}) };
    return [
      ...(p.IpRanges ?? []).filter((r) => r.CidrIp === WORLD_V4).map((r): WorldRule => ({ ...base, CidrIp: WORLD_V4, ...(r.Description ? { Description: r.Description } : {}) })),
      ...(p.Ipv6Ranges ?? []).filter((r) => r.CidrIpv6 === WORLD_V6).map((r): WorldRule => ({ ...base, CidrIpv6: WORLD_V6, ...(r.Description ? { Description: r.Description } : {}) })),
    ];
  });
}

const ruleKey = (r: WorldRule) => canonicalJson(r);

/** Rules back to the API's IpPermissions, grouped by protocol and range, in a canonical order. */
export function toIpPermissions(rules: WorldRule[], withDescriptions = true): IpPermission[] {
  const groups = new Map<string, IpPermission>();
  for (const rule of [...rules].sort((a, b) => (ruleKey(a) < ruleKey(b) ? -1 : 1))) {
    const key = `${rule.IpProtocol}|${rule.FromPort ?? ''}|${rule.ToPort ?? ''}`;
    const permission = groups.get(key) ?? { IpProtocol: rule.IpProtocol, FromPort: rule.FromPort, ToPort: rule.ToPort, IpRanges: [], Ipv6Ranges: [] };
    const description = withDescriptions && rule.Description ? { Description: rule.Description } : {};
    if (rule.CidrIp) permission.IpRanges!.push({ CidrIp: rule.CidrIp, ...description });
    if (rule.CidrIpv6) permission.Ipv6Ranges!.push({ CidrIpv6: rule.CidrIpv6, ...description });
    groups.set(key, permission);
  }
  return [...groups.values()];
}

function fromIpPermissions(text: string | null | undefined): WorldRule[] {
  return text ? worldRules(JSON.parse(text) as IpPermission[]) : [];
}

async function readPermissions(ctx: ControlContext): Promise<IpPermission[]> {
  const groupId = securityGroupIdOf(ctx);
  try {
    const result = await ctx.clients.get(EC2Client).send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const group = result.SecurityGroups?.[0];
    if (!group) throw new ResourceNotFoundError(`security group ${groupId} does not exist`, { context: { resourceArn: ctx.finding.resource.arn } });
    return group.IpPermissions ?? [];
  } catch (error) {
    throw toRemediatorError(error, `reading security group ${groupId}`, { resourceArn: ctx.finding.resource.arn });
  }
}

async function selectedRules(ctx: ControlContext): Promise<WorldRule[]> {
  const selection = portSelectionFor(ctx.finding);
  return worldRules(await readPermissions(ctx)).filter((rule) => selection.selects(rule));
}

const stateOf = (rules: WorldRule[]): ResourceState => ({ worldOpenIngress: canonicalJson(toIpPermissions(rules)) });

async function revoke(ctx: ControlContext, rules: WorldRule[]): Promise<void> {
  if (!rules.length) return;
  const groupId = securityGroupIdOf(ctx);
  try {
    await ctx.clients.get(EC2Client).send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: toIpPermissions(rules, false) }));
  } catch (error) {
    throw toRemediatorError(error, `revoking world-open ingress of ${groupId}`, { resourceArn: ctx.finding.resource.arn });
  }
}

async function authorize(ctx: ControlContext, rules: WorldRule[]): Promise<void> {
  if (!rules.length) return;
  const groupId = securityGroupIdOf(ctx);
  try {
    await ctx.clients.get(EC2Client).send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: toIpPermissions(rules) }));
  } catch (error) {
    throw toRemediatorError(error, `authorizing ingress of ${groupId} again`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const ec2RevokeOpenIngress: CorrectiveControl = {
  ...controlFacts('ec2-revoke-open-ingress'),

  async snapshot(ctx) {
    return stateOf(await selectedRules(ctx));
  },

  async plan(ctx): Promise<ControlPlan> {
    const rules = await selectedRules(ctx);
    const selection = portSelectionFor(ctx.finding);
    const before = stateOf(rules);
    const groupArn = ctx.finding.resource.arn;
    if (!rules.length) {
      return { applicable: false, reason: `no ingress rule is open to the world on ${selection.describe}`, before, after: before, summary: `No change: ${groupArn} has no world-open ingress on ${selection.describe}.` };
    }
    const listed = rules.map((r) => `${r.IpProtocol === '-1' ? 'all traffic' : `${protocolOf(r)} ${r.FromPort === r.ToPort ? r.FromPort : `${r.FromPort}-${r.ToPort}`}`} from ${r.CidrIp ?? r.CidrIpv6}`);
    return {
      applicable: true,
      reason: `${rules.length} ingress rule(s) open to the world on ${selection.describe}`,
      before,
      after: stateOf([]),
      summary: `Revoke from ${groupArn}: ${listed.join('; ')}. Other rules stay.`,
    };
  },

  async write(ctx, plan) {
    await revoke(ctx, fromIpPermissions(plan.before.worldOpenIngress));
  },

  async verify(ctx): Promise<VerifyOutcome> {
    const rules = await selectedRules(ctx);
    return {
      resolved: rules.length === 0,
      reason: rules.length ? `${rules.length} world-open ingress rule(s) remain on ${portSelectionFor(ctx.finding).describe}` : 'no world-open ingress on the named ports',
      observed: stateOf(rules),
    };
  },

  /** Puts the selected world-open rules back to exactly `before`: revokes what is extra, authorizes what is missing. */
  async restore(ctx, before) {
    const wanted = fromIpPermissions(before.worldOpenIngress);
    const current = await selectedRules(ctx);
    const wantedKeys = new Set(wanted.map(ruleKey));
    const currentKeys = new Set(current.map(ruleKey));
    await revoke(ctx, current.filter((r) => !wantedKeys.has(ruleKey(r))));
    await authorize(ctx, wanted.filter((r) => !currentKeys.has(ruleKey(r))));
  },
};
