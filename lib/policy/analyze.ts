/**
 * analyzePolicy: parse when needed, give every statement its verdict against a
 * zone of trust (verdict.ts), then add S3 ACL grants and Block Public Access.
 */
import { PolicyParseError } from '../errors';
import { describeAtom } from './audience';
import { ParsedPolicy, parsePolicy } from './parse';
import type { AnalyzeOptions, ExternalAccessFinding, LintNote, PolicyAnalysis, ResourceKind, S3AclGrant, ServiceRiskNote, StatementVerdict, ZoneOfTrust } from './types';
import { indexZone, statementVerdict } from './verdict';

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


function lintText(n: LintNote): string {
  return `lint: ${n.location}: ${n.message}${n.rejectedByAws ? ' (IAM would reject this)' : ''}`;
}

/**
 * Who outside the zone of trust can reach the resource, statement by statement.
 * `null` means: the resource has no policy (only S3 ACL grants can then expose it).
 * Never refuses a policy object (see parse.ts); with `options.strict` it throws
 * PolicyParseError on the first thing IAM would reject.
 */
export function analyzePolicy(policy: ParsedPolicy | string | object | null, zone: ZoneOfTrust, options?: AnalyzeOptions): PolicyAnalysis {
  const strict = options?.strict === true;
  const parsed = policy === null ? null : policy instanceof ParsedPolicy ? policy : parsePolicy(policy, { strict });
  if (strict && parsed !== null) {
    const rejected = parsed.lint.find((n) => n.rejectedByAws);
    if (rejected !== undefined) throw new PolicyParseError(`${rejected.message} (at ${rejected.location})`, { context: { location: rejected.location } });
  }
  const kind: ResourceKind = options?.kind ?? (parsed === null ? 'generic' : parsed.inferredKind);
  const z = indexZone(zone);
  const s3 = options?.s3;
  const owner = s3?.ownerCanonicalId;
  const notes: string[] = [];
  const findings: ExternalAccessFinding[] = [];
  const risks: ServiceRiskNote[] = [];
  // Shared with the parsed policy (read-only), as the statement facts are.
  const lint = (parsed === null ? [] : parsed.lint) as LintNote[];
  let statements: StatementVerdict[] = [];
  if (parsed === null) notes.push('no resource policy');
  else {
    statements = parsed.statements.map((s) => statementVerdict(s, z, kind, owner, findings, risks));
    for (const n of lint) notes.push(lintText(n));
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
      statements = statements.map((v) =>
        blocked.has(v.statementIndex) && !findings.some((f) => f.statementIndex === v.statementIndex)
          ? { ...v, verdict: 'blocked-by-bpa', reason: `${v.reason}; but Block Public Access RestrictPublicBuckets confines a public bucket policy to the owner account and AWS services` }
          : v,
      );
      notes.push('Block Public Access RestrictPublicBuckets is on and the policy is public: only the owner account and AWS services can use it');
    }
    if (s3.aclGrants && s3.aclGrants.length > 0) findings.push(...aclFindings(s3.aclGrants, bpa?.IgnorePublicAcls === true, s3.ownerCanonicalId, notes));
  }

  let isPublic = false;
  const accounts: string[] = [];
  for (const f of findings) {
    if (f.access === 'public') isPublic = true;
    for (const a of f.accounts) if (!accounts.includes(a)) accounts.push(a);
  }
  return { exposed: findings.length > 0, isPublic, externalAccounts: accounts.sort(), findings, statements, kind, notes, risks, lint };
}

/** Describe one atom (exported for fixes and tests). */
export { describeAtom };
