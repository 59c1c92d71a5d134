/**
 * Who loses access: the blast radius of a plan, so that an approver (and the
 * `plan` command) sees before the write whom the change cuts off and from what.
 *
 * For a policy field: the identities outside the zone of trust that `before`
 * lets in and `after` does not (from lib/policy, so they are named as Access
 * Analyzer would), the Allow statements that go entirely (their principals,
 * inside the zone too), and the Deny statements that arrive (everyone but whom
 * they exempt). For a list field (shares, ingress rules, keys): the entries
 * that go. For any other field: the value before and after.
 */
import { ApprovalRequiredError } from '../errors';
import { analyzePolicy, type AnalyzeOptions, type PolicyDocument, type PolicyStatement, type ZoneOfTrust } from '../policy';
import { changedFields } from './plan-diff';
import { covers } from './proof';
import type { ResourceState } from './types';

export interface LostAccess {
  /** The field of the resource state the change touches (`policy`, `createVolumePermission`, …). */
  field: string;
  /** Who loses it: `anyone (public)`, account ids, principal ARNs, `everyone except …`, a share or rule. */
  who: string[];
  /** What they could do: actions as written, or the field for a list entry or an attribute. */
  actions: string[];
  /** Where the access was: a statement (`Sid` or `#index`), or the value before → after. */
  where: string;
  /** Outside the zone of trust (what the finding is about) or inside it (collateral the approver should see). */
  external: boolean;
}

export const PUBLIC = 'anyone (public)';

export function whoLosesAccess(before: ResourceState, after: ResourceState, zone: ZoneOfTrust, options: AnalyzeOptions = {}): LostAccess[] {
  return changedFields(before, after).flatMap((field) => lostIn(field, before[field] ?? null, after[field] ?? null, zone, options));
}

/** The distinct identities that lose something (a rule's `maxPrincipalsRemoved` counts these). */
export function identitiesLosingAccess(lost: readonly LostAccess[]): string[] {
  return [...new Set(lost.flatMap((entry) => entry.who))].sort();
}

/** One line per entry, for messages and the CLI. */
export function describeLostAccess(lost: readonly LostAccess[]): string[] {
  return lost.map((entry) => `${entry.who.join(', ')}${entry.external ? '' : ' (inside the zone of trust)'}: ${entry.actions.join(', ')} — ${entry.field} ${entry.where}`);
}

function lostIn(field: string, before: string | null, after: string | null, zone: ZoneOfTrust, options: AnalyzeOptions): LostAccess[] {
  const beforeDoc = policyDocument(before);
  const afterDoc = after === null ? null : policyDocument(after);
  if (beforeDoc && (after === null || afterDoc)) return lostInPolicy(field, before as string, beforeDoc, after, afterDoc, zone, options);
  const beforeList = jsonArray(before);
  const afterList = after === null ? [] : jsonArray(after);
  if (beforeList && afterList) {
    const kept = new Set(afterList.map((entry) => JSON.stringify(entry)));
    return beforeList
      .filter((entry) => !kept.has(JSON.stringify(entry)))
      .map((entry) => ({ field, who: [describeEntry(entry)], actions: [field], where: 'entry removed', external: true }));
  }
  return [{ field, who: [], actions: [field], where: `${short(before)} → ${short(after)}`, external: true }];
}

function lostInPolicy(
  field: string,
  before: string,
  beforeDoc: PolicyDocument,
  after: string | null,
  afterDoc: PolicyDocument | null,
  zone: ZoneOfTrust,
  options: AnalyzeOptions,
): LostAccess[] {
  const lost: LostAccess[] = [];
  const was = analyzePolicy(before, zone, options);
  const now = after === null ? null : analyzePolicy(after, zone, options);
  const stillIn = new Set((now?.findings ?? []).flatMap(identities));
  const reported = new Set<string>();
  for (const finding of was.findings) {
    const who = identities(finding).filter((id) => !stillIn.has(id));
    if (!who.length) continue;
    who.forEach((id) => reported.add(id));
    lost.push({ field, who, actions: finding.actions, where: finding.source === 'acl' ? 'ACL grant' : statementName(finding.sid, finding.statementIndex), external: true });
  }
  const kept = statementsOf(afterDoc).filter((s) => s.Effect === 'Allow');
  statementsOf(beforeDoc).forEach((statement, index) => {
    if (statement.Effect !== 'Allow' || kept.some((k) => covers(k, statement))) return;
    const who = principalsOf(statement).filter((p) => !reported.has(p) && !reported.has(accountOf(p)));
    if (who.length) lost.push({ field, who, actions: actionsOf(statement), where: statementName(statement.Sid, index), external: false });
  });
  const existingDenies = new Set(statementsOf(beforeDoc).filter((s) => s.Effect === 'Deny').map((s) => JSON.stringify(s)));
  statementsOf(afterDoc).forEach((statement, index) => {
    if (statement.Effect !== 'Deny' || existingDenies.has(JSON.stringify(statement))) return;
    const except = exemptions(statement);
    lost.push({ field, who: [except.length ? `everyone except ${except.join(', ')}` : 'everyone'], actions: actionsOf(statement), where: `${statementName(statement.Sid, index)} (added Deny)`, external: false });
  });
  return lost;
}

function identities(finding: { access: string; accounts: string[]; principals: string[] }): string[] {
  return finding.access === 'public' ? [PUBLIC] : [...finding.accounts, ...finding.principals];
}

function policyDocument(value: string | null): PolicyDocument | null {
  if (value === null) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'Statement' in parsed ? (parsed as PolicyDocument) : null;
  } catch {
    return null;
  }
}

function jsonArray(value: string | null): unknown[] | null {
  if (value === null) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function statementsOf(doc: PolicyDocument | null): PolicyStatement[] {
  const list = doc?.Statement;
  return Array.isArray(list) ? list : list ? [list] : [];
}

function statementName(sid: string | undefined, index: number): string {
  return sid ? `statement ${sid}` : `statement #${index + 1}`;
}

function asList(value: unknown): string[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
}

function principalsOf(statement: PolicyStatement): string[] {
  const principal = statement.Principal;
  if (principal === undefined) return statement.NotPrincipal === undefined ? [] : ['everyone not named in NotPrincipal'];
  if (principal === '*') return [PUBLIC];
  return Object.values(principal as Record<string, unknown>).flatMap((value) => asList(value).map((p) => (p === '*' ? PUBLIC : p)));
}

function accountOf(principal: string): string {
  return /^\d{12}$/.test(principal) ? principal : (/^arn:[^:]+:iam::(\d{12}):/.exec(principal)?.[1] ?? principal);
}

function actionsOf(statement: PolicyStatement): string[] {
  if (statement.Action !== undefined) return asList(statement.Action);
  return statement.NotAction !== undefined ? [`everything but ${asList(statement.NotAction).join(', ')}`] : [];
}

/** Whom a Deny leaves alone: NotPrincipal, or the principal conditions that exempt (StringNotEquals/ArnNotLike on aws:PrincipalArn…). */
function exemptions(statement: PolicyStatement): string[] {
  const exempt = statement.NotPrincipal === undefined ? [] : principalsOf({ ...statement, Principal: statement.NotPrincipal, NotPrincipal: undefined } as PolicyStatement);
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    if (!/Not(Equals|Like)/.test(operator)) continue;
    for (const [key, values] of Object.entries(keys as Record<string, unknown>)) {
      if (/^aws:(PrincipalArn|PrincipalAccount|userid|PrincipalOrgID|SourceVpce?|PrincipalServiceName)$/i.test(key)) exempt.push(...asList(values).map((v) => `${key}=${v}`));
    }
  }
  return exempt;
}

function describeEntry(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object') {
    const e = entry as Record<string, unknown>;
    const who = e.UserId ?? e.Group ?? e.CidrIp ?? e.CidrIpv6 ?? e.AccessKeyId ?? e.accountId ?? e.AttributeValue;
    if (typeof who === 'string') return who;
  }
  return short(JSON.stringify(entry));
}

function short(value: string | null): string {
  if (value === null) return '(none)';
  return value.length > 80 ? `${value.slice(0, 77)}…` : value;
}

/**
 * The rule's blast-radius cap as a runner gate: a plan that cuts off more identities than `cap`
 * throws ApprovalRequiredError (nothing recorded, nothing written) and the workflow asks a human.
 */
export function blastRadiusGate(cap: number | undefined, resourceArn: string, zone: ZoneOfTrust): ((plan: { before: ResourceState; after: ResourceState }) => void) | undefined {
  if (cap === undefined) return undefined;
  return (plan) => {
    const who = identitiesLosingAccess(whoLosesAccess(plan.before, plan.after, zone));
    if (who.length <= cap) return;
    const named = who.length > 5 ? `${who.slice(0, 5).join(', ')} and ${who.length - 5} more` : who.join(', ');
    throw new ApprovalRequiredError(
      `the change to ${resourceArn} would cut off ${who.length} identities (${named}), more than the rule's maxPrincipalsRemoved of ${cap}: nothing written, asking for approval`,
      { context: { resourceArn, cap, identities: who.length } },
    );
  };
}
