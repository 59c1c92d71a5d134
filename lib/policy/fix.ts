/**
 * The two fixes, each re-analysed before it is returned:
 * - the minimal fix removes or narrows only what reaches outside the zone
 *   (external principal entries, external values of identity conditions,
 *   wildcard principals narrowed to the zone), keeping every trusted grant, the
 *   Sids and the order; service grants without a confused-deputy condition are
 *   a risk, not exposure: they are narrowed with aws:SourceAccount only when
 *   `fixServiceRisks` asks for it (removing them breaks logging and delivery);
 * - the deny-all policy is the classic corrective control, exempting the
 *   remediation role and a break-glass role so the account keeps control.
 * A fix that still exposes anything is a bug: UnsafeFixError.
 */
import { RemediatorError, UnsafeFixError } from '../errors';
import { analyzePolicy } from './analyze';
import type { Atom } from './audience';
import { valueAtoms } from './conditions';
import { arnAtoms, parseOperator } from './conditions';
import type { CompiledStatement } from './parse';
import { parsePolicy } from './parse';
import type { PrincipalEntry } from './principals';
import type { AnalyzeOptions, ConditionValue, DenyAllArgs, MinimalFix, MinimalFixOptions, PolicyAnalysis, PolicyDocument, PolicyStatement, PrincipalValue, ResourceKind, ZoneOfTrust } from './types';
import type { ParsedPolicy } from './parse';

const ACCOUNT_KEYS = new Set(['aws:principalaccount', 'kms:calleraccount', 'aws:sourceaccount', 'aws:sourceowner', 's3:dataaccesspointaccount']);
const ORG_KEYS = new Set(['aws:principalorgid', 'aws:sourceorgid']);
const ORGPATH_KEYS = new Set(['aws:principalorgpaths', 'aws:sourceorgpaths']);
const ARN_KEYS = new Set(['aws:principalarn', 'aws:sourcearn', 's3:dataaccesspointarn', 'kms:encryptioncontext:aws:logs:arn', 'kms:encryptioncontext:aws:cloudtrail:arn']);

function clone<T>(v: T): T {
  return structuredClone(v);
}

function inZone(atom: Atom, zone: ZoneOfTrust): boolean {
  switch (atom.t) {
    case 'acct':
      return zone.accountIds.includes(atom.id) || (zone.organizationAccountIds?.includes(atom.id) ?? false);
    case 'org':
      return zone.organizationId !== undefined && zone.organizationId.toLowerCase() === atom.id;
    case 'pin':
      return true;
    default:
      return false;
  }
}

function isIdentityKey(lowerKey: string): boolean {
  return ACCOUNT_KEYS.has(lowerKey) || ORG_KEYS.has(lowerKey) || ORGPATH_KEYS.has(lowerKey) || ARN_KEYS.has(lowerKey) || lowerKey === 'aws:userid';
}

function keyAtoms(lowerKey: string, value: string): Atom[] | null {
  if (ACCOUNT_KEYS.has(lowerKey)) return valueAtoms('account', value);
  if (ORG_KEYS.has(lowerKey)) return valueAtoms('org', value);
  if (ORGPATH_KEYS.has(lowerKey)) return valueAtoms('orgpath', value);
  if (ARN_KEYS.has(lowerKey)) return arnAtoms(value);
  if (lowerKey === 'aws:userid') return valueAtoms('userid', value);
  return null;
}

/** The zone condition that narrows a wildcard principal: organization when there is one, accounts otherwise. */
function zoneCondition(zone: ZoneOfTrust, service: boolean): [string, string[]] {
  if (service) return zone.organizationId ? ['aws:SourceOrgID', [zone.organizationId]] : ['aws:SourceAccount', [...zone.accountIds]];
  return zone.organizationId ? ['aws:PrincipalOrgID', [zone.organizationId]] : ['aws:PrincipalAccount', [...zone.accountIds]];
}

function addCondition(st: PolicyStatement, key: string, values: string[]): void {
  const condition = (st.Condition ??= {});
  const block = (condition.StringEquals ??= {});
  const existing = Object.keys(block).find((k) => k.toLowerCase() === key.toLowerCase());
  if (existing !== undefined) delete block[existing];
  block[key] = values.length === 1 ? (values[0] as string) : values;
}

/** Remove identity-condition values outside the zone; returns false when a key is left with no value (the statement then grants nothing). */
function pruneConditionValues(st: PolicyStatement, zone: ZoneOfTrust, changes: string[], label: string): boolean {
  if (!st.Condition) return true;
  for (const op of Object.keys(st.Condition)) {
    const parsed = parseOperator(op);
    if (!parsed || parsed.base.negated || parsed.base.family === 'Null' || parsed.set === 'all') continue;
    if (parsed.base.family !== 'String' && parsed.base.family !== 'Arn') continue;
    const block = st.Condition[op] as Record<string, ConditionValue>;
    for (const key of Object.keys(block)) {
      const lower = key.toLowerCase();
      const raw = block[key] as ConditionValue;
      const values = (Array.isArray(raw) ? raw : [raw]).map(String);
      const kept: string[] = [];
      const dropped: string[] = [];
      for (const v of values) {
        if (!isIdentityKey(lower)) {
          kept.push(v);
          continue;
        }
        const atoms = keyAtoms(lower, v);
        if (atoms !== null && atoms.every((a) => inZone(a, zone))) kept.push(v);
        else dropped.push(v);
      }
      if (dropped.length === 0) continue;
      changes.push(`${label}: removed ${dropped.join(', ')} from ${op} ${key} (outside the zone of trust)`);
      if (kept.length === 0) return false;
      block[key] = Array.isArray(raw) || kept.length > 1 ? kept : (kept[0] as string);
    }
  }
  return true;
}

function rebuildPrincipal(original: PrincipalValue, keep: readonly PrincipalEntry[]): PrincipalValue | null {
  if (keep.length === 0) return null;
  if (original === '*') return '*';
  const out: Record<string, string | string[]> = {};
  for (const type of Object.keys(original) as (keyof typeof original)[]) {
    const values = keep.filter((e) => e.type === type).map((e) => e.value);
    if (values.length === 0) continue;
    out[type] = Array.isArray(original[type]) || values.length > 1 ? values : (values[0] as string);
  }
  return out as PrincipalValue;
}

function label(s: CompiledStatement): string {
  return s.sid ? `statement #${s.index} "${s.sid}"` : `statement #${s.index}`;
}

/** Is the statement, with this one principal entry, exposed (or a service risk the caller asked to fix)? */
function entryNeedsFix(entry: PrincipalEntry, s: CompiledStatement, zone: ZoneOfTrust, kind: ResourceKind, options: AnalyzeOptions, fixRisks: boolean): boolean {
  const single: PolicyStatement = { ...s.raw, Principal: entry.type === '*' ? '*' : ({ [entry.type]: entry.value } as PrincipalValue) };
  delete single.NotPrincipal;
  const analysis = analyzePolicy({ Version: '2012-10-17', Statement: [single] }, zone, { ...options, kind });
  return analysis.exposed || (fixRisks && analysis.risks.length > 0);
}

function stillNeedsFix(st: PolicyStatement, zone: ZoneOfTrust, kind: ResourceKind, options: AnalyzeOptions, fixRisks: boolean): boolean {
  const analysis = analyzePolicy({ Version: '2012-10-17', Statement: [st] }, zone, { ...options, kind });
  return analysis.exposed || (fixRisks && analysis.risks.length > 0);
}

/** Fix one exposed Allow statement; null = remove it. */
function fixStatement(s: CompiledStatement, zone: ZoneOfTrust, kind: ResourceKind, options: AnalyzeOptions, fixRisks: boolean, changes: string[]): PolicyStatement | null {
  const name = label(s);
  if (s.notPrincipal) {
    changes.push(`${name}: removed (Allow with NotPrincipal grants everyone except the listed principals)`);
    return null;
  }
  if (s.doubtful) {
    changes.push(`${name}: removed (it could not be read as written, and IAM would reject it)`);
    return null;
  }
  const st = clone(s.raw);
  const keep: PrincipalEntry[] = [];
  const wildcard: PrincipalEntry[] = [];
  const services: PrincipalEntry[] = [];
  for (const entry of s.principals) {
    if (!entryNeedsFix(entry, s, zone, kind, options, fixRisks)) {
      keep.push(entry);
    } else if (entry.type === '*' || (entry.type === 'AWS' && entry.value === '*')) {
      wildcard.push(entry);
    } else if (entry.type === 'Service' && entry.atom?.t === 'svc') {
      services.push(entry);
    } else {
      changes.push(`${name}: removed principal ${entry.label} (outside the zone of trust${entry.missing ? `; no fixed ${entry.missing}` : ''})`);
    }
  }
  if (wildcard.length > 0 || services.length > 0) {
    if (s.conditions.allowConstraint !== null) {
      // Identity conditions already narrow the wildcard: drop their values outside the zone.
      if (!pruneConditionValues(st, zone, changes, name)) {
        changes.push(`${name}: removed (its identity conditions name only principals outside the zone)`);
        return null;
      }
    } else {
      const [key, values] = zoneCondition(zone, wildcard.length === 0);
      addCondition(st, key, values);
      changes.push(`${name}: narrowed ${wildcard.length > 0 ? wildcard[0]!.label : services.map((e) => e.label).join(', ')} with StringEquals ${key}=${values.join('|')}`);
    }
    keep.push(...wildcard, ...services);
  }
  const principal = rebuildPrincipal(s.raw.Principal as PrincipalValue, keep);
  if (principal === null) {
    changes.push(`${name}: removed (no principal inside the zone of trust is left)`);
    return null;
  }
  st.Principal = principal;
  if (stillNeedsFix(st, zone, kind, options, fixRisks)) {
    changes.push(`${name}: removed (narrowing could not close it)`);
    return null;
  }
  return st;
}

function emptyReplacement(kind: ResourceKind, zone: ZoneOfTrust, changes: string[]): PolicyDocument | null {
  if (kind === 'kms') {
    changes.push('no statement is left: a key must keep a policy, so it gets the default key policy (the owner account administers the key through IAM)');
    return {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${zone.accountIds[0]}:root` }, Action: 'kms:*', Resource: '*' }],
    };
  }
  if (kind === 'iam-role') {
    changes.push('no statement is left: a role must keep a trust policy, so it trusts no one');
    return { Version: '2012-10-17', Statement: [{ Sid: 'RemediatorNoTrust', Effect: 'Deny', Principal: '*', Action: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'] }] };
  }
  changes.push('no statement is left: delete the policy');
  return null;
}

function policyOnly(options: AnalyzeOptions, kind: ResourceKind): AnalyzeOptions {
  // The fix closes the policy itself, whatever Block Public Access says today; ACL grants are reported apart.
  return options.s3?.ownerCanonicalId ? { kind, s3: { ownerCanonicalId: options.s3.ownerCanonicalId } } : { kind };
}

function assertClosed(doc: PolicyDocument | null, zone: ZoneOfTrust, options: AnalyzeOptions, what: string): PolicyAnalysis {
  const analysis = analyzePolicy(doc, zone, options);
  if (analysis.exposed) {
    throw new UnsafeFixError(`the ${what} still grants access outside the zone of trust`, {
      context: { findings: analysis.findings.map((f) => ({ statementIndex: f.statementIndex, access: f.access, accounts: f.accounts, principals: f.principals })), policy: doc },
    });
  }
  return analysis;
}

/**
 * The minimal fix: the same policy without what reaches outside the zone.
 * `policy: null` means delete the policy. Throws UnsafeFixError if the result is still exposed (a bug).
 */
export function buildMinimalFix(policy: ParsedPolicy | string | object, zone: ZoneOfTrust, options: MinimalFixOptions = {}): MinimalFix {
  const parsed = parsePolicy(policy);
  const kind = options.kind ?? parsed.inferredKind;
  const opts = policyOnly(options, kind);
  const fixRisks = options.fixServiceRisks === true;
  const changes: string[] = [];
  const analysis = analyzePolicy(parsed, zone, opts);
  const toFix = new Set(analysis.findings.map((f) => f.statementIndex));
  if (fixRisks) for (const r of analysis.risks) toFix.add(r.statementIndex);

  const out: PolicyStatement[] = [];
  for (const s of parsed.statements) {
    if (!toFix.has(s.index)) out.push(clone(s.raw));
    else {
      const fixed = fixStatement(s, zone, kind, opts, fixRisks, changes);
      if (fixed) out.push(fixed);
    }
  }

  const make = (statements: PolicyStatement[]): PolicyDocument | null => {
    if (statements.length === 0) return null;
    const doc: PolicyDocument = { ...clone(parsed.document), Statement: parsed.statementIsArray || statements.length > 1 ? statements : (statements[0] as PolicyStatement) };
    return doc;
  };
  let doc = make(out);
  // Safety net: whatever the narrowing missed (statements that only expose together), remove.
  let check = analyzePolicy(doc, zone, opts);
  if (check.exposed) {
    const bad = new Set(check.findings.map((f) => f.statementIndex));
    const kept = out.filter((st, i) => {
      if (!bad.has(i)) return true;
      changes.push(`statement ${st.Sid ? `"${st.Sid}"` : `#${i}`}: removed (still exposed after narrowing)`);
      return false;
    });
    doc = make(kept);
  }
  if (doc === null && out.length > 0) doc = null;
  if (doc === null) doc = emptyReplacement(kind, zone, changes);
  check = assertClosed(doc, zone, opts, 'minimal fix');

  if (options.s3?.aclGrants && kind === 's3') {
    const acl = analyzePolicy(null, zone, { kind, s3: { aclGrants: options.s3.aclGrants, ownerCanonicalId: options.s3.ownerCanonicalId, publicAccessBlock: options.s3.publicAccessBlock ?? null } });
    for (const f of acl.findings) changes.push(`outside the policy: ${f.reason}; remove that grant with PutBucketAcl (or turn on IgnorePublicAcls)`);
  }
  return { policy: doc, changes };
}

// ---------------------------------------------------------------- deny-all

const ACTION_PREFIX: Record<ResourceKind, string> = {
  s3: 's3:*',
  kms: 'kms:*',
  sqs: 'sqs:*',
  sns: 'sns:*',
  lambda: 'lambda:*',
  'iam-role': 'sts:*',
  secretsmanager: 'secretsmanager:*',
  ecr: 'ecr:*',
  generic: '*',
};

/**
 * The deny-all policy for a resource: Deny everything to everyone except the
 * exempt principals (remediation and break-glass roles), matched with
 * `ArnNotLike aws:PrincipalArn` so that their sessions stay exempt.
 * - S3: Resource is each bucket ARN and its objects (`arn/*`).
 * - KMS: Resource "*"; a key policy must also allow someone, so the exempt
 *   principals (or the owner account root when there are none) keep `kms:*`.
 * - Lambda: function policies cannot hold Deny statements; the result is an
 *   empty policy (remove every permission).
 * - IAM role trust: denies the AssumeRole actions; no Resource element.
 * - ECR: repository policies have no Resource element.
 * Re-analysed against the zone {accountId}; throws UnsafeFixError if exposed.
 */
export function buildDenyAllPolicy(args: DenyAllArgs): PolicyDocument {
  const { kind, resourceArns, exemptPrincipalArns, accountId } = args;
  if (!/^\d{12}$/.test(accountId)) throw new RemediatorError(`accountId must be 12 digits, not "${accountId}"`, { context: { accountId } });
  const exempt = [...new Set(exemptPrincipalArns)];
  const condition = exempt.length > 0 ? { ArnNotLike: { 'aws:PrincipalArn': exempt.length === 1 ? (exempt[0] as string) : exempt } } : undefined;
  let doc: PolicyDocument;
  switch (kind) {
    case 's3': {
      if (resourceArns.length === 0) throw new RemediatorError('an S3 deny-all policy needs the bucket ARN', { context: { kind } });
      const resources: string[] = [];
      for (const arn of resourceArns) {
        const bucket = arn.endsWith('/*') ? arn.slice(0, -2) : arn;
        if (!resources.includes(bucket)) resources.push(bucket);
        if (!resources.includes(`${bucket}/*`)) resources.push(`${bucket}/*`);
      }
      doc = { Version: '2012-10-17', Statement: [{ Sid: 'RemediatorDenyAll', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: resources, ...(condition ? { Condition: condition } : {}) }] };
      break;
    }
    case 'kms': {
      const admins = exempt.length > 0 ? exempt : [`arn:aws:iam::${accountId}:root`];
      doc = {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'RemediatorDenyAll', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', ...(condition ? { Condition: condition } : {}) },
          { Sid: 'RemediatorKeyAdministrators', Effect: 'Allow', Principal: { AWS: admins.length === 1 ? (admins[0] as string) : admins }, Action: 'kms:*', Resource: '*' },
        ],
      };
      break;
    }
    case 'lambda':
      doc = { Version: '2012-10-17', Statement: [] };
      break;
    case 'iam-role':
      doc = {
        Version: '2012-10-17',
        Statement: [{ Sid: 'RemediatorDenyAll', Effect: 'Deny', Principal: '*', Action: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession'], ...(condition ? { Condition: condition } : {}) }],
      };
      break;
    case 'ecr':
      doc = { Version: '2012-10-17', Statement: [{ Sid: 'RemediatorDenyAll', Effect: 'Deny', Principal: '*', Action: 'ecr:*', ...(condition ? { Condition: condition } : {}) }] };
      break;
    case 'secretsmanager':
      doc = { Version: '2012-10-17', Statement: [{ Sid: 'RemediatorDenyAll', Effect: 'Deny', Principal: '*', Action: 'secretsmanager:*', Resource: '*', ...(condition ? { Condition: condition } : {}) }] };
      break;
    default: {
      const resource = resourceArns.length === 0 ? '*' : resourceArns.length === 1 ? (resourceArns[0] as string) : [...resourceArns];
      doc = { Version: '2012-10-17', Statement: [{ Sid: 'RemediatorDenyAll', Effect: 'Deny', Principal: '*', Action: ACTION_PREFIX[kind], Resource: resource, ...(condition ? { Condition: condition } : {}) }] };
    }
  }
  assertClosed(doc, { accountIds: [accountId] }, { kind }, 'deny-all policy');
  return doc;
}
