/**
 * analyzePolicy: classify the precompiled audience of every statement against
 * a zone of trust, add S3 ACL grants and Block Public Access, and explain.
 *
 * The hot path allocates little: zone lookups are cached per zone object,
 * the audiences were computed at parse time, and reasons are built by string
 * concatenation from parts that were also prepared at parse time.
 */
import type { Audience } from './audience';
import { actionText, deniedReason } from './reasons';
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

function crossReason(s: CompiledStatement, e: Exposure): string {
  let who = '';
  if (e.accounts) who = e.accounts.length === 1 ? `account ${e.accounts[0]}` : `accounts ${e.accounts.join(', ')}`;
  if (e.principals) who = who === '' ? e.principals.join(', ') : `${who}, ${e.principals.join(', ')}`;
  let deputy = false;
  if (e.principals) for (const p of e.principals) if (p.endsWith('(for any account)')) deputy = true;
  const tail = deputy ? ': no aws:SourceAccount / aws:SourceArn condition, so any account can make the service act on this resource (confused deputy)' : ', outside the zone of trust';
  return `grants ${actionText(s)} to ${who}${tail}`;
}

function trustedReason(s: CompiledStatement, zone: ZoneIndex, e: Exposure, byCondition: boolean): string {
  if (!byCondition) return `${s.grantText}: every principal is inside the zone (${zone.label})`;
  if (e.network) return `${s.grantText}, but only from the fixed network ${e.network}`;
  const listed = s.conditions.listed;
  return `${s.grantText}, but ${listed.length > 0 ? listed.join(' AND ') : 'its conditions'} confine${listed.length > 1 ? '' : 's'} it to the zone (${zone.label})`;
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
  const fixed = s.fixedVerdict;
  if (fixed !== null) {
    const ff = s.fixedFindings;
    for (let i = 0; i < ff.length; i++) findings.push(ff[i]!);
    return fixed;
  }
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
      reason = s.publicText;
      findings.push({ statementIndex: s.index, sid: s.sid, source: 'policy', access: 'public', accounts: [], principals: [], actions: e.publicActions!, notActions, conditions, reason });
    }
    let cross = '';
    if (e.accounts !== null || e.principals !== null) {
      cross = crossReason(s, e);
      findings.push({ statementIndex: s.index, sid: s.sid, source: 'policy', access: 'cross-account', accounts: e.accounts === null ? [] : e.accounts.sort(), principals: e.principals ?? [], actions: e.crossActions!, notActions, conditions, reason: cross });
    }
    verdict = e.isPublic ? 'public' : 'cross-account';
    reason = e.isPublic ? s.publicText : cross;
  } else {
    let deniedBy: number[] | null = null;
    for (const g of groups) for (const d of g.deniedBy) if (deniedBy === null) deniedBy = [d];
    else if (!deniedBy.includes(d)) deniedBy.push(d);
    const network = e.network;
    if (deniedBy !== null && (e.reset(), classify(s.audience, s.notAction ? ['*'] : s.actions, zone, kind, owner, e))) {
      verdict = 'deny-covered';
      reason = deniedReason(s, deniedBy);
    } else {
      e.network = network;
      const byCondition = network !== null || (s.conditions.listed.length > 0 && principalsReachOutside(s, zone, kind, owner));
      verdict = byCondition ? 'trusted-by-condition' : 'trusted';
      reason = trustedReason(s, zone, e, byCondition);
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
