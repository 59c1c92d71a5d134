/**
 * analyzePolicy: classify the precompiled audience of every statement against
 * a zone of trust, add S3 ACL grants and Block Public Access, and explain.
 *
 * The hot path allocates little: zone lookups are cached per zone object,
 * the audiences were computed at parse time, and reasons are built by string
 * concatenation from parts that were also prepared at parse time.
 */
import type { Audience } from './audience';
import { deniedReason } from './reasons';
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
  /** label + ")" (reasons end with it). */
  readonly labelClosed: string;
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
  const index = { source: zone, accountIds: zone.accountIds, orgAccountIds: zone.organizationAccountIds, organizationId: zone.organizationId, trusted, org, orgMembers, label, labelClosed: `${label})`, trustedCount: zone.accountIds.length, orgCount: zone.organizationAccountIds?.length ?? -1 };
  zoneCache.set(zone, index);
  return index;
}


// ---------------------------------------------------------------- audiences

/** Accumulates what one statement exposes. Action lists are shared with the parsed policy until a second group adds to them. */
class Exposure {
  isPublic = false;
  publicActions: readonly string[] | null = null;
  publicShared = false;
  accounts: string[] | null = null;
  principals: string[] | null = null;
  crossActions: readonly string[] | null = null;
  crossShared = false;
  network: string | null = null;

  reset(): void {
    this.isPublic = false;
    this.publicActions = null;
    this.accounts = null;
    this.principals = null;
    this.crossActions = null;
    this.network = null;
  }

  get exposed(): boolean {
    return this.isPublic || this.accounts !== null || this.principals !== null;
  }
}

function merge(current: readonly string[], more: readonly string[]): string[] {
  const out = current.slice();
  for (const x of more) if (!out.includes(x)) out.push(x);
  return out;
}

const serviceLabels = new Map<string, string>();
function serviceLabel(id: string): string {
  let label = serviceLabels.get(id);
  if (label === undefined) {
    label = id === '*' ? 'AWS services (for any account)' : `${id} (for any account)`;
    if (serviceLabels.size < 1000) serviceLabels.set(id, label);
  }
  return label;
}

/** Classify an audience against the zone; returns true when something is exposed. */
function classify(aud: Audience, actions: readonly string[], zone: ZoneIndex, kind: ResourceKind, ownerCanonicalId: string | undefined, out: Exposure): boolean {
  if (aud.any) {
    if (aud.network === null) {
      out.isPublic = true;
      out.publicActions = out.publicActions === null ? actions : merge(out.publicActions, actions);
      return true;
    }
    out.network = aud.network;
  }
  const atoms = aud.atoms;
  let exposed = false;
  for (let i = 0; i < atoms.length; i++) {
    const a = atoms[i]!;
    let principal: string;
    switch (a.t) {
      case 'acct':
        if (zone.trusted.has(a.id)) continue;
        if (a.org !== undefined && a.org === zone.org && zone.orgMembers !== null) continue; // not a member: cannot satisfy the org condition
        exposed = true;
        if (out.accounts === null) out.accounts = [a.id];
        else if (!out.accounts.includes(a.id)) out.accounts.push(a.id);
        continue;
      case 'org':
        if (a.id === zone.org) continue;
        principal = `organization ${a.id}`;
        break;
      case 'svc':
        if (kind === 'iam-role') continue;
        if (aud.network !== null) {
          out.network = aud.network;
          continue;
        }
        principal = serviceLabel(a.id);
        break;
      case 'canon':
        if (a.id === ownerCanonicalId) continue;
        principal = `canonical user ${a.id}`;
        break;
      case 'ext':
        principal = a.id;
        break;
      default:
        continue; // pinned
    }
    exposed = true;
    if (out.principals === null) out.principals = [principal];
    else if (!out.principals.includes(principal)) out.principals.push(principal);
  }
  if (exposed) out.crossActions = out.crossActions === null ? actions : merge(out.crossActions, actions);
  return exposed;
}

// ---------------------------------------------------------------- reasons

const CROSS_TAIL = ', outside the zone of trust';
const DEPUTY_TAIL = ': no aws:SourceAccount / aws:SourceArn condition, so any account can make the service act on this resource (confused deputy)';

function crossReason(s: CompiledStatement, e: Exposure): string {
  const accounts = e.accounts;
  const principals = e.principals;
  if (principals === null && accounts !== null && accounts.length === 1) return s.accountText + accounts[0] + CROSS_TAIL;
  let who = '';
  if (accounts !== null) who = accounts.length === 1 ? `account ${accounts[0]}` : `accounts ${accounts.join(', ')}`;
  let deputy = false;
  if (principals !== null) {
    who = who === '' ? principals.join(', ') : `${who}, ${principals.join(', ')}`;
    for (const p of principals) if (p.endsWith('(for any account)')) deputy = true;
  }
  return `grants ${s.actionText} to ${who}${deputy ? DEPUTY_TAIL : CROSS_TAIL}`;
}

function trustedReason(s: CompiledStatement, zone: ZoneIndex, e: Exposure, byCondition: boolean): string {
  if (!byCondition) return s.insideText + zone.labelClosed;
  if (e.network) return `${s.grantText}, but only from the fixed network ${e.network}`;
  return s.confinedText + zone.labelClosed;
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

const NO_STRINGS: string[] = Object.freeze([]) as unknown as string[];

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
  if (e.isPublic || e.accounts !== null || e.principals !== null) {
    const notActions = s.notAction ? (s.actions as string[]) : undefined;
    const conditions = s.conditions.listed as string[];
    if (e.isPublic) {
      findings.push({ statementIndex: s.index, sid: s.sid, source: 'policy', access: 'public', accounts: NO_STRINGS, principals: NO_STRINGS, actions: e.publicActions as string[], notActions, conditions, reason: s.publicText });
    }
    let cross = '';
    if (e.accounts !== null || e.principals !== null) {
      cross = crossReason(s, e);
      const accounts = e.accounts === null ? NO_STRINGS : e.accounts.length > 1 ? e.accounts.sort() : e.accounts;
      findings.push({ statementIndex: s.index, sid: s.sid, source: 'policy', access: 'cross-account', accounts, principals: e.principals ?? NO_STRINGS, actions: e.crossActions as string[], notActions, conditions, reason: cross });
    }
    verdict = e.isPublic ? 'public' : 'cross-account';
    reason = e.isPublic ? s.publicText : cross;
  } else {
    let deniedBy: number[] | null = null;
    for (let i = 0; i < groups.length; i++) {
      const denied = groups[i]!.deniedBy;
      for (let j = 0; j < denied.length; j++) {
        if (deniedBy === null) deniedBy = [denied[j]!];
        else if (!deniedBy.includes(denied[j]!)) deniedBy.push(denied[j]!);
      }
    }
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
export function analyzePolicy(policy: ParsedPolicy | string | object | null, zone: ZoneOfTrust, options?: AnalyzeOptions): PolicyAnalysis {
  const parsed = policy === null ? null : policy instanceof ParsedPolicy ? policy : parsePolicy(policy);
  const kind: ResourceKind = options?.kind ?? (parsed === null ? 'generic' : parsed.inferredKind);
  const z = indexZone(zone);
  const s3 = options?.s3;
  const owner = s3?.ownerCanonicalId;
  const notes: string[] = [];
  const findings: ExternalAccessFinding[] = [];
  let statements: StatementVerdict[];
  if (parsed === null) {
    notes.push('no resource policy');
    statements = [];
  } else {
    const list = parsed.statements;
    statements = new Array<StatementVerdict>(list.length);
    for (let i = 0; i < list.length; i++) statements[i] = analyzeStatement(list[i]!, z, kind, owner, findings);
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
