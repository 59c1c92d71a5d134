/**
 * analyzePolicy: classify the precompiled audience of every statement against
 * a zone of trust, add S3 ACL grants and Block Public Access, and explain.
 *
 * The hot path allocates little: zone lookups are cached per zone object,
 * the audiences were computed at parse time, and reasons are built by string
 * concatenation from parts that were also prepared at parse time.
 */
import type { Audience } from './audience';
import { describeAtom } from './audience';
import type { CompiledStatement } from './parse';
import { ParsedPolicy, parsePolicy } from './parse';
import type {
  AnalyzeOptions,
  ExternalAccessFinding,
  PolicyAnalysis,
  ResourceKind,
  S3AclGrant,
  StatementVerdict,
  StatementVerdictCode,
  ZoneOfTrust,
} from './types';

// ---------------------------------------------------------------- zone

interface ZoneIndex {
  readonly source: ZoneOfTrust;
  readonly accountIds: readonly string[];
  readonly orgAccountIds: readonly string[] | undefined;
  readonly organizationId: string | undefined;
  readonly trusted: ReadonlySet<string>;
  readonly org: string | null;
  /** Known members of the zone's organization (null: membership unknown). */
  readonly orgMembers: ReadonlySet<string> | null;
  readonly label: string;
  readonly trustedCount: number;
  readonly orgCount: number;
}

const zoneCache = new WeakMap<ZoneOfTrust, ZoneIndex>();

function indexZone(zone: ZoneOfTrust): ZoneIndex {
  const cached = zoneCache.get(zone);
  if (cached && cached.accountIds === zone.accountIds && cached.orgAccountIds === zone.organizationAccountIds && cached.organizationId === zone.organizationId && zone.accountIds.length === cached.trustedCount && (zone.organizationAccountIds?.length ?? -1) === cached.orgCount) {
    return cached;
  }
  const trusted = new Set<string>(zone.accountIds);
  const orgMembers = zone.organizationAccountIds ? new Set(zone.organizationAccountIds) : null;
  if (orgMembers) for (const a of orgMembers) trusted.add(a);
  const org = zone.organizationId ? zone.organizationId.toLowerCase() : null;
  const label = org ? `account ${zone.accountIds.join(', ')} and organization ${zone.organizationId}` : `account ${zone.accountIds.join(', ')}`;
  const index = { source: zone, accountIds: zone.accountIds, orgAccountIds: zone.organizationAccountIds, organizationId: zone.organizationId, trusted, org, orgMembers, label, trustedCount: zone.accountIds.length, orgCount: zone.organizationAccountIds?.length ?? -1 };
  zoneCache.set(zone, index);
  return index;
}


// ---------------------------------------------------------------- audiences

/** Accumulates what one statement exposes. */
class Exposure {
  isPublic = false;
  publicActions: string[] | null = null;
  accounts: string[] | null = null;
  principals: string[] | null = null;
  crossActions: string[] | null = null;
  network: string | null = null;
  pinned: string | null = null;

  reset(): void {
    this.isPublic = false;
    this.publicActions = null;
    this.accounts = null;
    this.principals = null;
    this.crossActions = null;
    this.network = null;
    this.pinned = null;
  }

  get exposed(): boolean {
    return this.isPublic || this.accounts !== null || this.principals !== null;
  }
}

function addAll(target: string[], items: readonly string[]): void {
  for (const x of items) if (!target.includes(x)) target.push(x);
}

/** Classify an audience against the zone; returns true when something is exposed. */
function classify(aud: Audience, actions: readonly string[], zone: ZoneIndex, kind: ResourceKind, ownerCanonicalId: string | undefined, out: Exposure): boolean {
  let exposed = false;
  if (aud.any) {
    if (aud.network) {
      out.network = aud.network;
    } else {
      out.isPublic = true;
      if (out.publicActions === null) out.publicActions = actions.slice();
      else addAll(out.publicActions, actions);
      return true;
    }
  }
  const atoms = aud.atoms;
  for (let i = 0; i < atoms.length; i++) {
    const a = atoms[i]!;
    let account: string | null = null;
    let principal: string | null = null;
    switch (a.t) {
      case 'acct':
        if (zone.trusted.has(a.id)) continue;
        if (a.org !== undefined && a.org === zone.org && zone.orgMembers !== null) continue; // not a member: cannot satisfy the org condition
        account = a.id;
        break;
      case 'org':
        if (a.id === zone.org) continue;
        principal = `organization ${a.id}`;
        break;
      case 'svc':
        if (kind === 'iam-role') continue;
        if (aud.network) {
          out.network = aud.network;
          continue;
        }
        principal = a.id === '*' ? 'AWS services (for any account)' : `${a.id} (for any account)`;
        break;
      case 'canon':
        if (a.id === ownerCanonicalId) continue;
        principal = `canonical user ${a.id}`;
        break;
      case 'ext':
        principal = a.id;
        break;
      case 'pin':
        out.pinned = a.id;
        continue;
    }
    exposed = true;
    if (account !== null) {
      if (out.accounts === null) out.accounts = [account];
      else if (!out.accounts.includes(account)) out.accounts.push(account);
    } else if (principal !== null) {
      if (out.principals === null) out.principals = [principal];
      else if (!out.principals.includes(principal)) out.principals.push(principal);
    }
  }
  if (exposed) {
    if (out.crossActions === null) out.crossActions = actions.slice();
    else addAll(out.crossActions, actions);
  }
  return exposed;
}

// ---------------------------------------------------------------- reasons

function actionText(s: CompiledStatement): string {
  if (s.notAction) return `every action except ${s.actions.join(', ')}`;
  return s.actions.length === 1 ? (s.actions[0] as string) : s.actions.join(', ');
}

function conditionText(s: CompiledStatement): string {
  const listed = s.conditions.listed;
  if (listed.length === 0) return 'with no condition';
  const notes = s.conditions.notes;
  return `with ${listed.join(' AND ')}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}, which does not confine it to the zone`;
}

function publicReason(s: CompiledStatement): string {
  const missing = s.principals.find((p) => p.missing !== undefined)?.missing;
  if (s.notPrincipal) return `Allow with NotPrincipal grants ${actionText(s)} to everyone except ${s.principals.map((p) => p.label).join(', ')}`;
  if (missing) return `grants ${actionText(s)} to ${s.principalText}: without a fixed ${missing} condition anyone there can use it`;
  return `grants ${actionText(s)} to ${s.principalText} ${conditionText(s)}`;
}

function crossReason(s: CompiledStatement, e: Exposure): string {
  const who: string[] = [];
  if (e.accounts) who.push(e.accounts.length === 1 ? `account ${e.accounts[0]}` : `accounts ${e.accounts.join(', ')}`);
  if (e.principals) who.push(...e.principals);
  const svc = s.principals.some((p) => p.type === 'Service');
  const deputy = svc && e.principals?.some((p) => p.endsWith('(for any account)'));
  const tail = deputy ? ': no aws:SourceAccount / aws:SourceArn condition, so any account can make the service act on this resource (confused deputy)' : ', outside the zone of trust';
  return `grants ${actionText(s)} to ${who.join(', ')}${tail}`;
}

function trustedReason(s: CompiledStatement, zone: ZoneIndex, e: Exposure, byCondition: boolean): string {
  if (e.network && !byCondition) return `grants ${actionText(s)} to ${s.principalText}, confined to the network ${e.network}`;
  if (!byCondition) return `grants ${actionText(s)} only to principals inside the zone (${zone.label}): ${s.principalText}`;
  if (e.network) return `grants ${actionText(s)} to ${s.principalText}, but only from the fixed network ${e.network}`;
  return `grants ${actionText(s)} to ${s.principalText}, but ${s.conditions.listed.join(' AND ') || e.pinned || 'its conditions'} confine${s.conditions.listed.length > 1 ? '' : 's'} it to the zone (${zone.label})${e.pinned && s.conditions.listed.length > 0 ? `; pinned to ${e.pinned}` : ''}`;
}

function denyReason(s: CompiledStatement): string {
  return `Deny statement: grants nothing; ${s.conditions.listed.length > 0 ? `applies ${s.conditions.listed.join(' AND ')}` : 'applies without condition'}`;
}

// ---------------------------------------------------------------- S3 ACL

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

function aclFindings(grants: readonly S3AclGrant[], ignorePublic: boolean, ownerCanonicalId: string | undefined, notes: string[]): ExternalAccessFinding[] {
  const out: ExternalAccessFinding[] = [];
  for (const g of grants) {
    if (g.granteeType === 'Group') {
      const uri = g.granteeUri ?? '';
      if (uri === ALL_USERS || uri === AUTHENTICATED_USERS) {
        const who = uri === ALL_USERS ? 'AllUsers (anyone)' : 'AuthenticatedUsers (any AWS account)';
        if (ignorePublic) {
          notes.push(`ACL grant ${g.permission} to ${who} is ignored: Block Public Access IgnorePublicAcls is on`);
          continue;
        }
        out.push({ statementIndex: -1, source: 'acl', access: 'public', accounts: [], principals: [], actions: [`ACL ${g.permission}`], conditions: [], reason: `the bucket ACL grants ${g.permission} to ${who}` });
      } else if (uri !== LOG_DELIVERY) {
        notes.push(`ACL grant ${g.permission} to group ${uri} is not a known public group`);
      }
    } else if (g.granteeType === 'CanonicalUser') {
      if (g.granteeId !== undefined && g.granteeId === ownerCanonicalId) continue;
      if (ownerCanonicalId === undefined) {
        notes.push(`ACL grant ${g.permission} to canonical user ${g.granteeId ?? '?'} not checked: the owner canonical id is unknown`);
        continue;
      }
      out.push({ statementIndex: -1, source: 'acl', access: 'cross-account', accounts: [], principals: [`canonical user ${g.granteeId ?? '?'}`], actions: [`ACL ${g.permission}`], conditions: [], reason: `the bucket ACL grants ${g.permission} to canonical user ${g.granteeId ?? '?'}, not the bucket owner` });
    } else {
      out.push({ statementIndex: -1, source: 'acl', access: 'cross-account', accounts: [], principals: [`${g.granteeId ?? 'an e-mail grantee'}`], actions: [`ACL ${g.permission}`], conditions: [], reason: `the bucket ACL grants ${g.permission} to the AWS customer ${g.granteeId ?? '?'} (by e-mail)` });
    }
  }
  return out;
}

// ---------------------------------------------------------------- analysis

const scratch = new Exposure();

function analyzeStatement(s: CompiledStatement, zone: ZoneIndex, kind: ResourceKind, owner: string | undefined, findings: ExternalAccessFinding[]): StatementVerdict {
  if (s.effect === 'Deny') return { statementIndex: s.index, sid: s.sid, effect: 'Deny', verdict: 'deny', reason: denyReason(s) };
  const e = scratch;
  e.reset();
  const groups = s.groups;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    classify(g.audience, g.actions, zone, kind, owner, e);
  }
  let verdict: StatementVerdictCode;
  let reason: string;
  if (e.exposed) {
    const notActions = s.notAction ? (s.actions as string[]) : undefined;
    const conditions = s.conditions.listed as string[];
    if (e.isPublic) {
      reason = publicReason(s);
      findings.push({ statementIndex: s.index, sid: s.sid, source: 'policy', access: 'public', accounts: [], principals: [], actions: e.publicActions!, notActions, conditions, reason });
    }
    let cross = '';
    if (e.accounts !== null || e.principals !== null) {
      cross = crossReason(s, e);
      findings.push({ statementIndex: s.index, sid: s.sid, source: 'policy', access: 'cross-account', accounts: e.accounts === null ? [] : e.accounts.sort(), principals: e.principals ?? [], actions: e.crossActions!, notActions, conditions, reason: cross });
    }
    verdict = e.isPublic ? 'public' : 'cross-account';
    reason = e.isPublic ? publicReason(s) : cross;
  } else {
    let deniedBy: number[] | null = null;
    for (const g of groups) if (g.deniedBy.length > 0) (deniedBy ??= []).push(...g.deniedBy.filter((d) => !deniedBy!.includes(d)));
    const network = e.network;
    const pinned = e.pinned;
    if (deniedBy !== null && (e.reset(), classify(s.audience, s.notAction ? ['*'] : s.actions, zone, kind, owner, e))) {
      verdict = 'deny-covered';
      reason = `would grant ${actionText(s)} to ${s.principalText}, but Deny statement${deniedBy.length > 1 ? 's' : ''} ${deniedBy.map((d) => `#${d}`).join(', ')} provably remove${deniedBy.length > 1 ? '' : 's'} that access`;
    } else {
      e.network = network;
      e.pinned = pinned;
      const byCondition = network !== null || pinned !== null || principalsReachOutside(s, zone, kind, owner);
      verdict = byCondition && (s.conditions.listed.length > 0 || network !== null) ? 'trusted-by-condition' : 'trusted';
      reason = trustedReason(s, zone, e, verdict === 'trusted-by-condition');
    }
  }
  return { statementIndex: s.index, sid: s.sid, effect: 'Allow', verdict, reason };
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

function emptyAnalysis(kind: ResourceKind, notes: string[]): PolicyAnalysis {
  return { exposed: false, isPublic: false, externalAccounts: [], findings: [], statements: [], kind, notes };
}

/**
 * Who outside the zone of trust can reach the resource, statement by statement.
 * `null` means: the resource has no policy (only S3 ACL grants can then expose it).
 */
export function analyzePolicy(policy: ParsedPolicy | string | object | null, zone: ZoneOfTrust, options: AnalyzeOptions = {}): PolicyAnalysis {
  const parsed = policy === null ? null : policy instanceof ParsedPolicy ? policy : parsePolicy(policy);
  const kind: ResourceKind = options.kind ?? parsed?.inferredKind ?? 'generic';
  const z = indexZone(zone);
  const s3 = options.s3;
  const notes: string[] = [];
  const findings: ExternalAccessFinding[] = [];
  const statements: StatementVerdict[] = [];
  if (parsed === null) notes.push('no resource policy');
  else {
    const list = parsed.statements;
    for (let i = 0; i < list.length; i++) statements.push(analyzeStatement(list[i]!, z, kind, s3?.ownerCanonicalId, findings));
  }

  if (s3 !== undefined && kind === 's3') {
    const bpa = s3.publicAccessBlock ?? null;
    if (bpa?.RestrictPublicBuckets === true && findings.some((f) => f.access === 'public')) {
      // RestrictPublicBuckets: with a public policy, only the owner account and AWS services get in.
      const blocked = new Set<number>();
      for (let i = findings.length - 1; i >= 0; i--) {
        const f = findings[i]!;
        if (f.access === 'public' || f.accounts.length > 0) {
          blocked.add(f.statementIndex);
          if (f.access === 'cross-account' && f.principals.length > 0) findings[i] = { ...f, accounts: [] };
          else findings.splice(i, 1);
        }
      }
      for (let i = 0; i < statements.length; i++) {
        const v = statements[i]!;
        if (blocked.has(v.statementIndex) && !findings.some((f) => f.statementIndex === v.statementIndex)) {
          statements[i] = { ...v, verdict: 'blocked-by-bpa', reason: `${v.reason}; but Block Public Access RestrictPublicBuckets confines a public bucket policy to the owner account and AWS services` };
        }
      }
      notes.push('Block Public Access RestrictPublicBuckets is on and the policy is public: only the owner account and AWS services can use it');
    }
    if (s3.aclGrants && s3.aclGrants.length > 0) findings.push(...aclFindings(s3.aclGrants, bpa?.IgnorePublicAcls === true, s3.ownerCanonicalId, notes));
  }

  if (findings.length === 0) {
    if (statements.length === 0) return emptyAnalysis(kind, notes);
    return { exposed: false, isPublic: false, externalAccounts: [], findings, statements, kind, notes };
  }
  let isPublic = false;
  let accounts: string[] | null = null;
  for (const f of findings) {
    if (f.access === 'public') isPublic = true;
    for (const a of f.accounts) {
      if (accounts === null) accounts = [a];
      else if (!accounts.includes(a)) accounts.push(a);
    }
  }
  return { exposed: true, isPublic, externalAccounts: accounts === null ? [] : accounts.sort(), findings, statements, kind, notes };
}

/** Describe one atom (exported for fixes and tests). */
export { describeAtom };
