/**
 * Lambda function and layer-version policies are never written whole: the
 * service builds them from permission requests (AddPermission /
 * AddLayerVersionPermission) and removes statements by Sid. This module holds
 * what the two Lambda controls share: which statements reach outside the zone
 * of trust, the policy that remains without them, the permission request
 * that puts a statement back, and the statement-by-statement sync that a
 * restore runs.
 *
 * A statement is put back *semantically*: same Sid, principal, action and the
 * conditions the request can express. The service re-serialises it, so the
 * restored text may differ from the saved text in key order or principal
 * spelling (an account id becomes `arn:aws:iam::<id>:root`).
 */
import { ControlFailedError } from '../errors';
import { analyzePolicy, type PolicyDocument, type PolicyStatement, type ZoneOfTrust } from '../policy';

/** A permission request, in the vocabulary of AddPermission (layers use a subset). */
export interface PermissionGrant {
  statementId: string;
  action: string;
  principal: string;
  sourceArn?: string;
  sourceAccount?: string;
  principalOrgId?: string;
  functionUrlAuthType?: string;
  eventSourceToken?: string;
  invokedViaFunctionUrl?: boolean;
}

/** The conditions a permission request can set, as the service writes them: operator → key (lower case) → field. */
const CONDITION_FIELDS: Record<string, Record<string, keyof PermissionGrant>> = {
  arnlike: { 'aws:sourcearn': 'sourceArn' },
  stringequals: {
    'aws:sourceaccount': 'sourceAccount',
    'aws:principalorgid': 'principalOrgId',
    'lambda:functionurlauthtype': 'functionUrlAuthType',
    'lambda:eventsourcetoken': 'eventSourceToken',
  },
  bool: { 'lambda:invokedviafunctionurl': 'invokedViaFunctionUrl' },
};

export function parseDocument(policy: string): PolicyDocument {
  return JSON.parse(policy) as PolicyDocument;
}

export function statementsOf(policy: string | null): PolicyStatement[] {
  if (policy === null) return [];
  const list = parseDocument(policy).Statement;
  return Array.isArray(list) ? list : [list];
}

/** The Sids of the statements that grant access outside the zone (every one must have a Sid to be removable). */
export function externalStatementSids(policy: string | null, zone: ZoneOfTrust, resourceArn: string): string[] {
  if (policy === null) return [];
  const analysis = analyzePolicy(policy, zone, { kind: 'lambda' });
  const statements = statementsOf(policy);
  const indexes = [...new Set(analysis.findings.filter((f) => f.source === 'policy').map((f) => f.statementIndex))].sort((a, b) => a - b);
  return indexes.map((index) => {
    const sid = statements[index]?.Sid;
    if (!sid) throw new ControlFailedError(`statement ${index} of the policy of ${resourceArn} reaches outside the zone of trust but has no Sid to remove it by`, { context: { resourceArn } });
    return sid;
  });
}

/** The policy without these statements, as JSON text; null when no statement remains (the service then has no policy). */
export function withoutStatements(policy: string, sids: readonly string[]): string | null {
  const doc = parseDocument(policy);
  const remaining = statementsOf(policy).filter((s) => !sids.includes(s.Sid ?? ''));
  return remaining.length ? JSON.stringify({ ...doc, Statement: remaining }) : null;
}

/** The permission request that creates this statement; ControlFailedError if no request can express it. */
export function grantOf(statement: PolicyStatement, resourceArn: string): PermissionGrant {
  const refuse = (why: string) =>
    new ControlFailedError(`statement "${statement.Sid ?? '(no Sid)'}" of the policy of ${resourceArn} cannot be put back with a permission request: ${why}`, { context: { resourceArn } });
  if (!statement.Sid) throw refuse('it has no Sid');
  if (statement.Effect !== 'Allow') throw refuse(`its effect is ${statement.Effect}`);
  if (statement.NotAction !== undefined || statement.NotPrincipal !== undefined || statement.NotResource !== undefined) throw refuse('it uses NotAction, NotPrincipal or NotResource');
  const actions = typeof statement.Action === 'string' ? [statement.Action] : (statement.Action ?? []);
  if (actions.length !== 1) throw refuse('it does not name exactly one action');
  const grant: PermissionGrant = { statementId: statement.Sid, action: actions[0]!, principal: principalOf(statement, refuse) };
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) {
      const field = CONDITION_FIELDS[operator.toLowerCase()]?.[key.toLowerCase()];
      if (!field || Array.isArray(value)) throw refuse(`condition ${operator} ${key}`);
      (grant as unknown as Record<string, unknown>)[field] = field === 'invokedViaFunctionUrl' ? String(value).toLowerCase() === 'true' : String(value);
    }
  }
  return grant;
}

function principalOf(statement: PolicyStatement, refuse: (why: string) => Error): string {
  const principal = statement.Principal as unknown;
  if (typeof principal === 'string') return principal; // "*", or an emulator's unparsed spelling
  const entries = Object.entries((principal ?? {}) as Record<string, string | string[]>);
  const only = entries.length === 1 ? entries[0]! : undefined;
  const values = only ? (Array.isArray(only[1]) ? only[1] : [only[1]]) : [];
  if (!only || values.length !== 1 || !['AWS', 'Service'].includes(only[0])) throw refuse('its principal is not one account, identity or service');
  return values[0]!;
}

/** One spelling per principal: `arn:<partition>:iam::<id>:root` and `<id>` are the same account. */
function canonicalPrincipal(principal: string): string {
  return /^arn:aws[\w-]*:iam::(\d{12}):root$/.exec(principal)?.[1] ?? principal;
}

function canonicalGrant(grant: PermissionGrant): string {
  const entries = Object.entries({ ...grant, principal: canonicalPrincipal(grant.principal) }).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(entries);
}

/** Same Sid, principal, action and conditions. Statements no request can express are equal only as identical JSON. */
export function sameGrant(a: PolicyStatement, b: PolicyStatement, resourceArn: string): boolean {
  try {
    return canonicalGrant(grantOf(a, resourceArn)) === canonicalGrant(grantOf(b, resourceArn));
  } catch {
    return JSON.stringify(a) === JSON.stringify(b);
  }
}

/**
 * What turns the live policy into the target, statement by statement: the
 * Sids to remove (absent from the target, or different there) and the
 * target statements to add. Every statement to add is checked to be expressible first.
 */
export function syncSteps(live: string | null, target: string | null, resourceArn: string): { remove: string[]; add: PermissionGrant[] } {
  const now = statementsOf(live);
  const wanted = statementsOf(target);
  const matches = (s: PolicyStatement, list: PolicyStatement[]) => list.some((o) => o.Sid === s.Sid && sameGrant(s, o, resourceArn));
  const remove = now.filter((s) => !matches(s, wanted)).map((s) => s.Sid ?? '');
  if (remove.includes('')) throw new ControlFailedError(`the policy of ${resourceArn} has a statement without a Sid, which cannot be removed`, { context: { resourceArn } });
  const add = wanted.filter((s) => !matches(s, now)).map((s) => grantOf(s, resourceArn));
  return { remove, add };
}
