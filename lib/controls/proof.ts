/**
 * Proof before write: a policy a control is about to write must (1) expose
 * nothing outside the zone of trust, re-analysed by lib/policy, and (2) grant
 * nothing the policy it replaces did not: every Allow statement it keeps is a
 * statement of `before` with the same actions, resources and conditions and at
 * most the same principals. Deny statements may be added (they only narrow).
 * A fix that fails either is an UnsafeFixError and is never written.
 */
import { UnsafeFixError } from '../errors';
import { analyzePolicy, type AnalyzeOptions, type PolicyDocument, type PolicyStatement, type ZoneOfTrust } from '../policy';

export function proveSafeReplacement(args: {
  before: string | null;
  after: string | null;
  zone: ZoneOfTrust;
  options: AnalyzeOptions;
  resourceArn: string;
}): void {
  if (args.after === null) return; // deleting a policy removes access; it grants nothing
  const analysis = analyzePolicy(args.after, args.zone, args.options);
  if (analysis.exposed) {
    throw new UnsafeFixError(`the policy planned for ${args.resourceArn} still grants access outside the zone of trust`, {
      context: { resourceArn: args.resourceArn, externalAccounts: analysis.externalAccounts, isPublic: analysis.isPublic },
    });
  }
  const added = grantsAdded(args.before, args.after);
  if (added.length) {
    throw new UnsafeFixError(`the policy planned for ${args.resourceArn} grants what the current one does not: ${added.join('; ')}`, {
      context: { resourceArn: args.resourceArn },
    });
  }
}

/** Allow statements of `after` that no statement of `before` covers, described for people. */
export function grantsAdded(before: string | null, after: string): string[] {
  const kept = before === null ? [] : statements(JSON.parse(before) as PolicyDocument).filter((s) => s.Effect === 'Allow');
  return statements(JSON.parse(after) as PolicyDocument)
    .filter((s) => s.Effect === 'Allow')
    .filter((s) => !kept.some((k) => covers(k, s)))
    .map((s) => s.Sid ?? JSON.stringify(s).slice(0, 120));
}

function statements(doc: PolicyDocument): PolicyStatement[] {
  const list = doc?.Statement;
  return Array.isArray(list) ? list : list ? [list] : [];
}

/** `wide` grants at least everything `narrow` does (same actions, resources, conditions it keeps; at least its principals). */
export function covers(wide: PolicyStatement, narrow: PolicyStatement): boolean {
  const { Principal: wp, Sid: _ws, Condition: wc, ...wideRest } = wide;
  const { Principal: np, Sid: _ns, Condition: nc, ...narrowRest } = narrow;
  if (canonical(wideRest) !== canonical(narrowRest)) return false;
  if (!conditionsNarrow(wc, nc)) return false;
  if (narrow.NotPrincipal !== undefined || wide.NotPrincipal !== undefined) return canonical(wide) === canonical(narrow);
  if (wp === '*') return true;
  if (np === '*' || np === undefined || wp === undefined) return np === wp;
  return Object.entries(np).every(([kind, values]) => {
    const allowed = new Set(asList((wp as Record<string, string | string[] | undefined>)[kind]));
    return asList(values as string | string[] | undefined).every((v) => allowed.has(v) || allowed.has('*'));
  });
}

/**
 * Conditions are ANDed: `narrow` grants no more than `wide` when it keeps every
 * condition of `wide` with exactly the same values (more values would widen an
 * OR) and only adds conditions (a minimal fix narrows `"Principal": "*"` with one).
 */
function conditionsNarrow(wide: PolicyStatement['Condition'], narrow: PolicyStatement['Condition']): boolean {
  return Object.entries(wide ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => {
      const kept = narrow?.[operator]?.[key];
      return kept !== undefined && canonical(kept) === canonical(values);
    }),
  );
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** JSON with sorted keys and sorted one-element-or-list values, so that equal grants compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 1 ? normalise(value[0]) : value.map(normalise).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, normalise(v)]),
    );
  }
  return value;
}
