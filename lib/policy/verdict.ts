/**
 * Verdict: classify the audience of each compiled statement against a zone of
 * trust and explain it — public, cross-account (to named accounts or other
 * identities), a service risk, or trusted (and why).
 */
import type { Audience } from './audience';
import type { CompiledStatement } from './compile';
import { deniedReason, denyReason } from './reasons';
import type { ExternalAccessFinding, ResourceKind, ServiceRiskNote, StatementVerdict, StatementVerdictCode, ZoneOfTrust } from './types';

export interface ZoneIndex {
  readonly trusted: ReadonlySet<string>;
  /** The zone's organization id, lower case. */
  readonly org: string | null;
  /** Known members of the zone's organization (null: membership unknown). */
  readonly orgMembers: ReadonlySet<string> | null;
  readonly label: string;
}

/** The zone index per zone object, kept while the zone's content is unchanged (compared element by element). */
const zoneIndexes = new WeakMap<ZoneOfTrust, { accounts: string[]; org: string | undefined; members: string[] | undefined; index: ZoneIndex }>();

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function indexZone(zone: ZoneOfTrust): ZoneIndex {
  const cached = zoneIndexes.get(zone);
  if (cached !== undefined && cached.org === zone.organizationId && sameList(cached.accounts, zone.accountIds) && sameList(cached.members, zone.organizationAccountIds)) return cached.index;
  const index = buildZoneIndex(zone);
  zoneIndexes.set(zone, { accounts: [...zone.accountIds], org: zone.organizationId, members: zone.organizationAccountIds ? [...zone.organizationAccountIds] : undefined, index });
  return index;
}

function buildZoneIndex(zone: ZoneOfTrust): ZoneIndex {
  const trusted = new Set<string>(zone.accountIds);
  const orgMembers = zone.organizationAccountIds ? new Set(zone.organizationAccountIds) : null;
  if (orgMembers) for (const a of orgMembers) trusted.add(a);
  const org = zone.organizationId ? zone.organizationId.toLowerCase() : null;
  const label = org ? `account ${zone.accountIds.join(', ')} and organization ${zone.organizationId}` : `account ${zone.accountIds.join(', ')}`;
  return { trusted, org, orgMembers, label };
}

/** What one statement exposes. */
class Exposure {
  isPublic = false;
  publicActions: string[] | null = null;
  accounts: string[] | null = null;
  principals: string[] | null = null;
  crossActions: string[] | null = null;
  /** Service principals acting for any account (a risk, not exposure). */
  services: string[] | null = null;
  serviceActions: string[] | null = null;
  network: string | null = null;

  get exposed(): boolean {
    return this.isPublic || this.accounts !== null || this.principals !== null;
  }
}

function addAll(target: string[] | null, more: readonly string[]): string[] {
  if (target === null) return more.slice();
  for (const x of more) if (!target.includes(x)) target.push(x);
  return target;
}

function add(target: string[] | null, x: string): string[] {
  if (target === null) return [x];
  if (!target.includes(x)) target.push(x);
  return target;
}

/** Classify an audience against the zone into `out`. */
function classify(aud: Audience, actions: readonly string[], zone: ZoneIndex, kind: ResourceKind, owner: string | undefined, out: Exposure): void {
  if (aud.any) {
    if (aud.network === null) {
      out.isPublic = true;
      out.publicActions = addAll(out.publicActions, actions);
      return;
    }
    out.network = aud.network;
  }
  let exposed = false;
  let service = false;
  for (const a of aud.atoms) {
    switch (a.t) {
      case 'acct':
        if (zone.trusted.has(a.id)) continue;
        if (a.org !== undefined && a.org === zone.org && zone.orgMembers !== null) continue; // not a member: cannot satisfy the org condition
        out.accounts = add(out.accounts, a.id);
        exposed = true;
        continue;
      case 'org':
        if (a.id === zone.org) continue;
        out.principals = add(out.principals, `organization ${a.id}`);
        exposed = true;
        continue;
      case 'svc':
        if (kind === 'iam-role') continue; // a service assumes a role only for whoever can iam:PassRole it
        if (aud.network !== null) {
          out.network = aud.network;
          continue;
        }
        out.services = add(out.services, a.id);
        service = true;
        continue;
      case 'canon':
        if (a.id === owner) continue;
        out.principals = add(out.principals, `canonical user ${a.id}`);
        exposed = true;
        continue;
      case 'ext':
        out.principals = add(out.principals, a.id);
        exposed = true;
        continue;
      default:
        continue; // pinned
    }
  }
  if (exposed) out.crossActions = addAll(out.crossActions, actions);
  if (service) out.serviceActions = addAll(out.serviceActions, actions);
}

function crossReason(s: CompiledStatement, e: Exposure): string {
  let who = '';
  if (e.accounts !== null) who = e.accounts.length === 1 ? `account ${e.accounts[0]}` : `accounts ${e.accounts.join(', ')}`;
  if (e.principals !== null) who = who === '' ? e.principals.join(', ') : `${who}, ${e.principals.join(', ')}`;
  return `grants ${s.actionText} to ${who}, outside the zone of trust`;
}

function riskReason(s: CompiledStatement, services: readonly string[], actions: readonly string[]): string {
  return `grants ${actions.join(', ')} to ${services.map((x) => (x === '*' ? 'AWS services' : `service ${x}`)).join(', ')} with no aws:SourceAccount / aws:SourceArn / aws:SourceOrgID condition: any account could aim the service at this resource (confused-deputy risk; not external access)`;
}

/** Would the statement's principals, without its conditions, reach outside the zone? */
function principalsReachOutside(s: CompiledStatement, zone: ZoneIndex, kind: ResourceKind, owner: string | undefined): boolean {
  if (s.notPrincipal) return true;
  for (const p of s.principals) {
    const a = p.atom;
    if (a === null) return true;
    switch (a.t) {
      case 'acct':
        if (!zone.trusted.has(a.id)) return true;
        break;
      case 'svc':
        if (kind !== 'iam-role') return true;
        break;
      case 'canon':
        if (a.id !== owner) return true;
        break;
      case 'org':
        if (a.id !== zone.org) return true;
        break;
      case 'ext':
        return true;
      case 'pin':
        break;
    }
  }
  return false;
}

function pinnedIn(groups: readonly { audience: Audience }[]): string | null {
  for (const g of groups) for (const a of g.audience.atoms) if (a.t === 'pin') return a.id;
  return null;
}

function onlyPinned(aud: Audience): boolean {
  for (const a of aud.atoms) if (a.t !== 'pin') return false;
  return !aud.any;
}

/** Why a statement that exposes nothing and is no risk is trusted. */
function trustedVerdict(s: CompiledStatement, zone: ZoneIndex, kind: ResourceKind, owner: string | undefined, e: Exposure): { verdict: StatementVerdictCode; reason: string } {
  const deniedBy: number[] = [];
  for (const g of s.groups) for (const d of g.deniedBy) if (!deniedBy.includes(d)) deniedBy.push(d);
  if (deniedBy.length > 0) {
    const probe = new Exposure();
    classify(s.audience, s.notAction ? ['*'] : s.actions, zone, kind, owner, probe);
    if (probe.exposed || probe.services !== null) return { verdict: 'deny-covered', reason: deniedReason(s, deniedBy) };
  }
  const grant = s.grantText;
  if (e.network !== null) return { verdict: 'trusted-by-condition', reason: `${grant}, but only from the fixed network ${e.network}` };
  const listed = s.conditions.listed;
  const pinned = pinnedIn(s.groups);
  if (pinned !== null && s.groups.every((g) => onlyPinned(g.audience) || g.audience.atoms.length === 0)) {
    if (listed.length === 0) return { verdict: 'trusted', reason: `${grant}: ${pinned} is not an external principal` };
    if (principalsReachOutside(s, zone, kind, owner)) return { verdict: 'trusted-by-condition', reason: `${grant}, but ${listed.join(' AND ')} pin${listed.length > 1 ? '' : 's'} it to ${pinned}` };
  }
  if (listed.length > 0 && principalsReachOutside(s, zone, kind, owner)) {
    if (s.groups.every((g) => g.audience.atoms.length === 0 && !g.audience.any)) {
      return { verdict: 'trusted-by-condition', reason: `${grant}, but ${listed.join(' AND ')} match${listed.length > 1 ? '' : 'es'} no caller` };
    }
    return { verdict: 'trusted-by-condition', reason: `${grant}, but ${listed.join(' AND ')} ${listed.length > 1 ? 'confine' : 'confines'} it to the zone (${zone.label})` };
  }
  return { verdict: 'trusted', reason: `${grant}: every principal is inside the zone (${zone.label})` };
}

/** The verdict of one statement; findings and risk notes are pushed onto the given lists. */
export function statementVerdict(s: CompiledStatement, zone: ZoneIndex, kind: ResourceKind, owner: string | undefined, findings: ExternalAccessFinding[], risks: ServiceRiskNote[]): StatementVerdict {
  if (s.effect === 'Deny') {
    const reason = s.doubtful ? `${denyReason(s)}; it could not be read as written, so it is not taken to subtract anything` : denyReason(s);
    return { statementIndex: s.index, sid: s.sid, effect: 'Deny', verdict: 'deny', reason };
  }
  const e = new Exposure();
  for (const g of s.groups) classify(g.audience, g.actions, zone, kind, owner, e);
  const conditions = s.conditions.listed as string[];
  const notActions = s.notAction ? (s.actions as string[]) : undefined;
  let verdict: StatementVerdictCode;
  let reason: string;
  if (e.exposed) {
    let cross = '';
    if (e.isPublic) {
      reason = s.publicText;
      findings.push({ statementIndex: s.index, sid: s.sid, source: 'policy', access: 'public', accounts: [], principals: [], actions: e.publicActions!, ...(notActions ? { notActions } : {}), conditions, reason });
    }
    if (e.accounts !== null || e.principals !== null) {
      cross = crossReason(s, e);
      findings.push({ statementIndex: s.index, sid: s.sid, source: 'policy', access: 'cross-account', accounts: e.accounts === null ? [] : e.accounts.sort(), principals: e.principals ?? [], actions: e.crossActions!, ...(notActions ? { notActions } : {}), conditions, reason: cross });
    }
    verdict = e.isPublic ? 'public' : 'cross-account';
    reason = e.isPublic ? s.publicText : cross;
  } else if (e.services !== null) {
    verdict = 'service-risk';
    reason = riskReason(s, e.services, e.serviceActions!);
  } else {
    ({ verdict, reason } = trustedVerdict(s, zone, kind, owner, e));
  }
  if (e.services !== null) risks.push({ statementIndex: s.index, sid: s.sid, services: e.services, actions: e.serviceActions!, reason: riskReason(s, e.services, e.serviceActions!) });
  return { statementIndex: s.index, sid: s.sid, effect: 'Allow', verdict, reason };
}
