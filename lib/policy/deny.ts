/**
 * Deny statements subtract from the Allow audiences, per action, and only what
 * they provably cover (see README "Deny subtraction"). A Deny that is doubtful
 * (anything IAM would reject, an unreadable principal or condition) subtracts nothing.
 */
import type { Atom, Audience, Constraint } from './audience';
import { NOBODY, intersectConstraints, isEmpty, narrowToExempt, subtract, withNetwork } from './audience';
import type { ActionGroup, CompiledStatement } from './compile';

function hasWildcard(v: string): boolean {
  return v.includes('*') || v.includes('?');
}

/** IAM glob: `*` any run, `?` one character. */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const pc = pattern.charCodeAt(p);
    if (p < pattern.length && (pc === 63 /* ? */ || pc === text.charCodeAt(t))) {
      p++;
      t++;
    } else if (p < pattern.length && pc === 42 /* * */) {
      star = p++;
      mark = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === 42) p++;
  return p === pattern.length;
}

/** Does pattern `q` match everything pattern `p` matches? (Sufficient check: exact, `*`, or trailing-`*` prefix.) */
export function patternCovers(q: string, p: string): boolean {
  if (q === '*' || q === p) return true;
  if (!hasWildcard(p)) return globMatch(q, p);
  const star = q.indexOf('*');
  return star === q.length - 1 && !q.includes('?') && p.startsWith(q.slice(0, -1));
}

function literalPrefix(p: string): string {
  let end = p.length;
  const star = p.indexOf('*');
  const q = p.indexOf('?');
  if (star >= 0) end = star;
  if (q >= 0 && q < end) end = q;
  return p.slice(0, end);
}

/** Can no string match both patterns? (Sufficient check on literal prefixes.) */
export function patternsDisjoint(p: string, n: string): boolean {
  const pw = hasWildcard(p);
  const nw = hasWildcard(n);
  if (!pw && !nw) return p !== n;
  if (!pw) return !globMatch(n, p);
  if (!nw) return !globMatch(p, n);
  const lp = literalPrefix(p);
  const ln = literalPrefix(n);
  return !(lp.startsWith(ln) || ln.startsWith(lp));
}

/** What a Deny statement does to an audience once its actions and resources apply. */
interface DenyEffect {
  readonly index: number;
  readonly statement: CompiledStatement;
  /** Who it applies to: null = everyone. */
  readonly scope: Constraint;
  /** Who is exempt: null = nobody. */
  readonly exceptions: readonly Atom[] | null;
  readonly networkException: string | null;
}

/** The Deny's effect when it is provable; null when it subtracts nothing. */
function denyEffect(d: CompiledStatement): DenyEffect | null {
  const c = d.conditions;
  if (d.doubtful || c.denyUnprovable) return null;
  let scope: Constraint = null;
  let exceptions: Atom[] | null = c.denyExceptions ? [...c.denyExceptions] : null;
  const anyone = d.principals.some((p) => p.atom === null);
  if (d.notPrincipal) {
    if (anyone) return null; // NotPrincipal "*" denies nobody
    exceptions = [...(exceptions ?? []), ...d.principals.map((p) => p.atom as Atom)];
  } else if (!anyone) {
    scope = d.principals.map((p) => p.atom as Atom);
  }
  if (c.denyScope !== null && d.principals.some((p) => p.type !== 'AWS' && p.type !== '*')) return null; // service + source keys: not proven
  scope = intersectConstraints(scope, c.denyScope);
  if (scope !== null && (exceptions !== null || c.denyNetworkException !== null)) return null; // both a scope and exemptions: not proven
  return { index: d.index, statement: d, scope, exceptions, networkException: c.denyNetworkException };
}

function applyDeny(aud: Audience, t: DenyEffect): Audience {
  if (isEmpty(aud)) return aud;
  if (t.scope !== null) return subtract(aud, t.scope);
  if (t.exceptions === null && t.networkException === null) return NOBODY;
  if (t.networkException !== null) return withNetwork(aud, t.networkException);
  return narrowToExempt(aud, t.exceptions ?? []);
}

function coversAction(d: CompiledStatement, allowAction: string): boolean {
  if (d.notAction) return d.actionsLower.every((n) => patternsDisjoint(allowAction, n));
  return d.actionsLower.some((q) => patternCovers(q, allowAction));
}

function coversResources(d: CompiledStatement, a: CompiledStatement): boolean {
  const denied = d.resources;
  if (denied === null) return true;
  const allowed = a.resources === null || a.notResource ? ['*'] : a.resources;
  if (d.notResource) return allowed.every((r) => denied.every((n) => patternsDisjoint(r, n)));
  return allowed.every((r) => denied.some((q) => patternCovers(q, r)));
}

/** Split an Allow's actions by the Deny statements that cover them, and narrow each slice's audience. */
function actionGroups(a: CompiledStatement, denies: readonly DenyEffect[]): ActionGroup[] | null {
  const relevant = denies.filter((d) => coversResources(d.statement, a));
  if (relevant.length === 0) return null;
  const probe = a.notAction ? ['*'] : a.actionsLower;
  const byMask = new Map<string, { actions: string[]; deny: DenyEffect[] }>();
  for (let i = 0; i < probe.length; i++) {
    const applying = relevant.filter((d) => coversAction(d.statement, probe[i]!));
    const key = applying.map((d) => d.index).join(',');
    let group = byMask.get(key);
    if (group === undefined) byMask.set(key, (group = { actions: [], deny: applying }));
    group.actions.push(a.notAction ? '*' : a.actions[i]!);
  }
  const groups: ActionGroup[] = [];
  for (const g of byMask.values()) {
    let audience = a.audience;
    for (const d of g.deny) audience = applyDeny(audience, d);
    groups.push({ actions: g.actions, audience, deniedBy: g.deny.map((d) => d.index) });
  }
  return groups;
}

/** Apply the policy's provable Deny statements to every Allow (sets `groups`). */
export function applyDenies(statements: readonly CompiledStatement[]): void {
  let denies: DenyEffect[] | null = null;
  for (const s of statements) {
    if (s.effect !== 'Deny') continue;
    const d = denyEffect(s);
    if (d !== null) (denies ??= []).push(d);
  }
  if (denies === null) return;
  for (const s of statements) {
    if (s.effect !== 'Allow' || isEmpty(s.audience)) continue;
    const groups = actionGroups(s, denies);
    if (groups !== null) s.groups = groups;
  }
}
