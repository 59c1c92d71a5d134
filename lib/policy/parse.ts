/**
 * parsePolicy: validate a resource policy and compile each statement into
 * what analysis needs, once. The compiled form is independent of any zone of
 * trust: the audience of every Allow (principals AND conditions, minus what
 * Deny statements provably remove) is computed here, so that analysing a
 * parsed policy against a zone only classifies a handful of atoms.
 */
import { PolicyParseError } from '../errors';
import type { Atom, Audience, Constraint } from './audience';
import { ANYONE, NOBODY, internAudience, intersectConstraints, isEmpty, narrow, subtract, withNetwork } from './audience';
import type { CompiledConditions } from './conditions';
import { compileConditions } from './conditions';
import type { PrincipalEntry } from './principals';
import { parsePrincipal } from './principals';
import { actionText, deniedReason, denyReason, publicReason } from './reasons';
import type { ExternalAccessFinding, PolicyDocument, PolicyStatement, ResourceKind, StatementVerdict } from './types';

/** A slice of an Allow statement's actions and who can still use them after Deny statements. */
export interface ActionGroup {
  readonly actions: readonly string[];
  readonly audience: Audience;
  /** Indexes of the Deny statements that narrowed this group. */
  readonly deniedBy: readonly number[];
}

export interface CompiledStatement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** The statement as written (validated). */
  readonly raw: PolicyStatement;
  readonly principals: readonly PrincipalEntry[];
  readonly notPrincipal: boolean;
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly resources: readonly string[] | null;
  readonly notResource: boolean;
  readonly conditions: CompiledConditions;
  /** Allow: principals narrowed by conditions, before Deny statements. Deny: NOBODY. */
  readonly audience: Audience;
  /** Allow: the audience per slice of actions after Deny statements. */
  readonly groups: readonly ActionGroup[];
  /** Who the statement names, in words. */
  readonly principalText: string;
  /** The actions in words. */
  readonly actionText: string;
  /** "grants <actions> to <principals>". */
  readonly grantText: string;
  /** Reason prefixes completed at analysis with a zone label or an account id. */
  readonly insideText: string;
  readonly confinedText: string;
  readonly accountText: string;
  /** Why the statement would be public (used when it is). */
  readonly publicText: string;
  /** The verdict when it does not depend on the zone of trust or the resource kind (Deny, public, network-confined, pinned). */
  readonly fixedVerdict: StatementVerdict | null;
  /** The findings that go with `fixedVerdict` (shared, frozen). */
  readonly fixedFindings: readonly ExternalAccessFinding[];
}

export class ParsedPolicy {
  constructor(
    /** The document as given (validated). */
    readonly document: PolicyDocument,
    readonly statements: readonly CompiledStatement[],
    /** False when `Statement` was a single object. */
    readonly statementIsArray: boolean,
    /** The kind the actions suggest (used when the caller gives none). */
    readonly inferredKind: ResourceKind,
  ) {}
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const POLICY_KEYS = new Set(['Version', 'Id', 'Statement']);
const ACTION_RE = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?_-]*)$/;

function fail(message: string, location: string, cause?: unknown): never {
  throw new PolicyParseError(`${message} (at ${location})`, { cause, context: { location } });
}

function stringList(raw: unknown, location: string, what: string): string[] {
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw)) {
    if (raw.length === 0) fail(`${what} must not be empty`, location);
    for (let i = 0; i < raw.length; i++) if (typeof raw[i] !== 'string') fail(`${what} must be strings`, `${location}[${i}]`);
    return raw as string[];
  }
  return fail(`${what} must be a string or an array of strings`, location);
}

function at(base: string, key: string): string {
  return `${base}.${key}`;
}

// ---------------------------------------------------------------- patterns

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

/** Can no string match both patterns? (Sufficient check on literal prefixes.) */
export function patternsDisjoint(p: string, n: string): boolean {
  const pw = hasWildcard(p);
  const nw = hasWildcard(n);
  if (!pw && !nw) return p !== n;
  if (!pw) return !globMatch(n, p);
  if (!nw) return !globMatch(p, n);
  const lp = p.slice(0, Math.min(...[p.indexOf('*'), p.indexOf('?')].filter((i) => i >= 0)));
  const ln = n.slice(0, Math.min(...[n.indexOf('*'), n.indexOf('?')].filter((i) => i >= 0)));
  return !(lp.startsWith(ln) || ln.startsWith(lp));
}

// ---------------------------------------------------------------- kinds

const KIND_BY_PREFIX: Record<string, ResourceKind> = {
  s3: 's3',
  kms: 'kms',
  sqs: 'sqs',
  sns: 'sns',
  lambda: 'lambda',
  sts: 'iam-role',
  secretsmanager: 'secretsmanager',
  ecr: 'ecr',
};

function inferKind(statements: readonly CompiledStatement[]): ResourceKind {
  for (const s of statements) {
    if (s.notAction) continue;
    for (const a of s.actions) {
      const colon = a.indexOf(':');
      if (colon <= 0) continue;
      const kind = KIND_BY_PREFIX[a.slice(0, colon).toLowerCase()];
      if (kind) return kind;
    }
  }
  return 'generic';
}

// ---------------------------------------------------------------- statements

interface Draft {
  index: number;
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  raw: PolicyStatement;
  principals: PrincipalEntry[];
  notPrincipal: boolean;
  actions: string[];
  actionsLower: string[];
  notAction: boolean;
  resources: string[] | null;
  notResource: boolean;
  conditions: CompiledConditions;
  audience: Audience;
}

function parseStatement(raw: unknown, index: number, location: string): Draft {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('a statement must be an object', location);
  const st = raw as Record<string, unknown>;
  for (const key of Object.keys(st)) if (!STATEMENT_KEYS.has(key)) fail(`unknown statement element "${key}"`, at(location, key));
  if (st.Sid !== undefined && typeof st.Sid !== 'string') fail('Sid must be a string', at(location, 'Sid'));
  if (st.Effect !== 'Allow' && st.Effect !== 'Deny') fail(`Effect must be "Allow" or "Deny"`, at(location, 'Effect'));
  const effect = st.Effect;

  if (st.Principal !== undefined && st.NotPrincipal !== undefined) fail('a statement has Principal or NotPrincipal, not both', at(location, 'NotPrincipal'));
  if (st.Principal === undefined && st.NotPrincipal === undefined) fail('a resource policy statement needs a Principal', at(location, 'Principal'));
  if (st.Action !== undefined && st.NotAction !== undefined) fail('a statement has Action or NotAction, not both', at(location, 'NotAction'));
  if (st.Action === undefined && st.NotAction === undefined) fail('a statement needs an Action', at(location, 'Action'));
  if (st.Resource !== undefined && st.NotResource !== undefined) fail('a statement has Resource or NotResource, not both', at(location, 'NotResource'));

  const conditions = compileConditions(st.Condition, at(location, 'Condition'));

  const notPrincipal = st.NotPrincipal !== undefined;
  const principalKey = notPrincipal ? 'NotPrincipal' : 'Principal';
  const principals = parsePrincipal(notPrincipal ? st.NotPrincipal : st.Principal, conditions.fixed, at(location, principalKey));

  const notAction = st.NotAction !== undefined;
  const actionKey = notAction ? 'NotAction' : 'Action';
  const actions = stringList(notAction ? st.NotAction : st.Action, at(location, actionKey), actionKey);
  actions.forEach((a, i) => {
    if (!ACTION_RE.test(a)) fail(`invalid action "${a}" (expected "service:Action" or "*")`, Array.isArray(st[actionKey]) ? `${at(location, actionKey)}[${i}]` : at(location, actionKey));
  });

  const notResource = st.NotResource !== undefined;
  let resources: string[] | null = null;
  if (st.Resource !== undefined || notResource) {
    const resourceKey = notResource ? 'NotResource' : 'Resource';
    resources = stringList(notResource ? st.NotResource : st.Resource, at(location, resourceKey), resourceKey);
    resources.forEach((r, i) => {
      if (r === '') fail('a resource must not be empty', Array.isArray(st[resourceKey]) ? `${at(location, resourceKey)}[${i}]` : at(location, resourceKey));
    });
  }

  let audience: Audience = NOBODY;
  if (effect === 'Allow') {
    if (notPrincipal) audience = ANYONE;
    else if (principals.some((p) => p.atom === null)) audience = ANYONE;
    else audience = { any: false, atoms: principals.map((p) => p.atom as Atom), network: null };
    audience = narrow(audience, conditions.allowConstraint);
    if (conditions.network) audience = withNetwork(audience, conditions.network);
  }

  return {
    index,
    sid: st.Sid as string | undefined,
    effect,
    raw: raw as PolicyStatement,
    principals,
    notPrincipal,
    actions,
    actionsLower: actions.map((a) => a.toLowerCase()),
    notAction,
    resources,
    notResource,
    conditions,
    audience,
  };
}

// ---------------------------------------------------------------- Deny statements

interface DenyTransform {
  readonly index: number;
  /** Who it applies to: null = everyone. */
  readonly scope: Constraint;
  /** Who is exempt: null = nobody. */
  readonly exceptions: readonly Atom[] | null;
  readonly networkException: string | null;
  readonly draft: Draft;
}

function prepareDeny(d: Draft): DenyTransform | null {
  if (d.conditions.denyUnprovable) return null;
  let scope: Constraint = null;
  let exceptions: Atom[] | null = d.conditions.denyExceptions ? [...d.conditions.denyExceptions] : null;
  if (d.notPrincipal) {
    if (d.principals.some((p) => p.atom === null)) return null; // NotPrincipal "*" denies nobody
    exceptions = [...(exceptions ?? []), ...d.principals.map((p) => p.atom as Atom)];
  } else if (!d.principals.some((p) => p.atom === null)) {
    scope = d.principals.map((p) => p.atom as Atom);
  }
  if (d.conditions.denyScope !== null && d.principals.some((p) => p.type !== 'AWS' && p.type !== '*')) return null; // service + source keys: not proven
  scope = intersectConstraints(scope, d.conditions.denyScope);
  if (scope !== null && (exceptions !== null || d.conditions.denyNetworkException !== null)) return null; // both a scope and exemptions: not proven
  return { index: d.index, scope, exceptions, networkException: d.conditions.denyNetworkException, draft: d };
}

function applyDeny(aud: Audience, t: DenyTransform): Audience {
  if (isEmpty(aud)) return aud;
  if (t.scope !== null) return subtract(aud, t.scope);
  if (t.exceptions === null && t.networkException === null) return NOBODY;
  if (t.networkException !== null) return withNetwork(aud, t.networkException);
  return narrow(aud, t.exceptions);
}

function denyCoversAction(d: Draft, allowAction: string): boolean {
  if (d.notAction) return d.actionsLower.every((n) => patternsDisjoint(allowAction, n));
  return d.actionsLower.some((q) => patternCovers(q, allowAction));
}

function denyCoversResources(d: Draft, a: Draft): boolean {
  const allowResources = a.resources === null || a.notResource ? ['*'] : a.resources;
  if (d.resources === null) return true;
  if (d.notResource) return allowResources.every((r) => d.resources!.every((n) => patternsDisjoint(r, n)));
  return allowResources.every((r) => d.resources!.some((q) => patternCovers(q, r)));
}

const NO_DENIES: readonly number[] = Object.freeze([]);
const listTable = new Map<string, readonly string[]>();
const groupTable = new Map<string, readonly ActionGroup[]>();
const TABLE_LIMIT = 100_000;

/** One frozen copy of a list of strings (action lists repeat across policies). */
function internList(list: readonly string[]): readonly string[] {
  const key = list.join('\u0000');
  let out = listTable.get(key);
  if (out === undefined) {
    out = Object.freeze([...list]);
    if (listTable.size < TABLE_LIMIT) listTable.set(key, out);
  }
  return out;
}

/** Share the common case (one group, no Deny) across policies; intern the parts of the others. */
function internGroups(groups: ActionGroup[]): readonly ActionGroup[] {
  const interned = groups.map((g) => ({ actions: internList(g.actions), audience: internAudience(g.audience), deniedBy: g.deniedBy }));
  if (interned.length !== 1 || interned[0]!.deniedBy.length > 0) return Object.freeze(interned.map((g) => Object.freeze(g)));
  const g = interned[0]!;
  const key = `${g.actions.join('\u0000')}\u0002${g.audience.any ? '*' : ''}${g.audience.atoms.map((a) => `${a.t}|${a.id}|${a.t === 'acct' ? (a.org ?? '') : ''}`).join('\u0000')}\u0001${g.audience.network ?? ''}`;
  let out = groupTable.get(key);
  if (out === undefined) {
    out = Object.freeze([Object.freeze(g)]);
    if (groupTable.size < TABLE_LIMIT) groupTable.set(key, out);
  }
  return out;
}

function actionGroups(a: Draft, denies: readonly DenyTransform[]): ActionGroup[] {
  const whole: ActionGroup = { actions: Object.freeze(a.notAction ? ['*'] : [...a.actions]), audience: a.audience, deniedBy: NO_DENIES };
  if (denies.length === 0 || isEmpty(a.audience)) return [whole];
  const relevant = denies.filter((d) => denyCoversResources(d.draft, a));
  if (relevant.length === 0) return [whole];
  const probe = a.notAction ? ['*'] : a.actionsLower;
  const byMask = new Map<string, { actions: string[]; deny: DenyTransform[] }>();
  probe.forEach((action, i) => {
    const applying = relevant.filter((d) => denyCoversAction(d.draft, action));
    const key = applying.map((d) => d.index).join(',');
    const group = byMask.get(key) ?? { actions: [], deny: applying };
    group.actions.push(a.notAction ? '*' : (a.actions[i] as string));
    byMask.set(key, group);
  });
  const groups: ActionGroup[] = [];
  for (const g of byMask.values()) {
    let audience = a.audience;
    for (const d of g.deny) audience = applyDeny(audience, d);
    groups.push({ actions: Object.freeze(g.actions), audience, deniedBy: g.deny.length === 0 ? NO_DENIES : g.deny.map((d) => d.index) });
  }
  return groups;
}

const NO_GROUPS: readonly ActionGroup[] = Object.freeze([]);

/** Reason prefixes, built by concatenation so that they share their parts. */
function statementTexts(d: Draft, principalText: string): { action: string; grant: string; inside: string; confined: string; account: string } {
  const action = actionText(d);
  const grantsAction = 'grants ' + action;
  const grant = grantsAction + ' to ' + principalText;
  const listed = d.conditions.listed;
  const confined = listed.length === 0 ? grant + ', but its conditions confine it to the zone (' : grant + ', but ' + listed.join(' AND ') + (listed.length > 1 ? ' confine' : ' confines') + ' it to the zone (';
  return { action, grant, inside: grant + ': every principal is inside the zone (', confined, account: grantsAction + ' to account ' };
}
const NO_FINDINGS: readonly ExternalAccessFinding[] = Object.freeze([]);

function onlyPinned(aud: Audience): boolean {
  for (const a of aud.atoms) if (a.t !== 'pin') return false;
  return true;
}

/**
 * The outcome of a statement whose audience holds no account-like atom: it is
 * the same in every zone of trust and for every resource kind, so it is built
 * once here (frozen) and analysis only hands it out.
 */
function fixedOutcome(d: Draft, groups: readonly ActionGroup[], facts: Parameters<typeof publicReason>[0], grant: string, publicText: string): { verdict: StatementVerdict | null; findings: readonly ExternalAccessFinding[] } {
  const sid = d.sid;
  if (d.effect === 'Deny') {
    return { verdict: Object.freeze({ statementIndex: d.index, sid, effect: 'Deny', verdict: 'deny', reason: denyReason(facts) }), findings: NO_FINDINGS };
  }
  if (!onlyPinned(d.audience) || !groups.every((g) => onlyPinned(g.audience))) return { verdict: null, findings: NO_FINDINGS };
  const publicActions: string[] = [];
  for (const g of groups) if (g.audience.any && !g.audience.network) for (const a of g.actions) if (!publicActions.includes(a)) publicActions.push(a);
  if (publicActions.length > 0) {
    const reason = publicText;
    const finding: ExternalAccessFinding = Object.freeze({
      statementIndex: d.index,
      sid,
      source: 'policy',
      access: 'public',
      accounts: Object.freeze([]) as unknown as string[],
      principals: Object.freeze([]) as unknown as string[],
      actions: Object.freeze(publicActions) as unknown as string[],
      ...(d.notAction ? { notActions: Object.freeze([...d.actions]) as unknown as string[] } : {}),
      conditions: Object.freeze([...d.conditions.listed]) as unknown as string[],
      reason,
    });
    return { verdict: Object.freeze({ statementIndex: d.index, sid, effect: 'Allow', verdict: 'public', reason }), findings: Object.freeze([finding]) };
  }
  const deniedBy: number[] = [];
  for (const g of groups) for (const i of g.deniedBy) if (!deniedBy.includes(i)) deniedBy.push(i);
  let verdict: StatementVerdict['verdict'];
  let reason: string;
  const network = groups.find((g) => g.audience.network)?.audience.network ?? null;
  const pinned = groups.flatMap((g) => g.audience.atoms).find((a) => a.t === 'pin')?.id ?? null;
  if (deniedBy.length > 0 && d.audience.any && !d.audience.network) {
    verdict = 'deny-covered';
    reason = deniedReason(facts, deniedBy);
  } else if (network !== null) {
    verdict = 'trusted-by-condition';
    reason = `${grant}, but only from the fixed network ${network}`;
  } else if (pinned !== null && d.conditions.listed.length === 0) {
    verdict = 'trusted';
    reason = `${grant}: ${pinned} is not an external principal`;
  } else if (pinned !== null) {
    verdict = 'trusted-by-condition';
    reason = `${grant}, but ${d.conditions.listed.join(' AND ')} pin${d.conditions.listed.length > 1 ? '' : 's'} it to ${pinned}`;
  } else if (deniedBy.length > 0) {
    verdict = 'deny-covered';
    reason = deniedReason(facts, deniedBy);
  } else {
    verdict = 'trusted-by-condition';
    reason = `${grant}, but ${d.conditions.listed.join(' AND ') || 'its conditions'} match${d.conditions.listed.length > 1 ? '' : 'es'} no caller`;
  }
  return { verdict: Object.freeze({ statementIndex: d.index, sid, effect: 'Allow', verdict, reason }), findings: NO_FINDINGS };
}

function describePrincipals(d: Draft): string {
  if (d.notPrincipal) return `everyone except ${d.principals.map((p) => p.label).join(', ')} (NotPrincipal)`;
  return d.principals.map((p) => p.label).join(', ');
}

// ---------------------------------------------------------------- policy

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    let location = '$';
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      location = `$ (line ${line}, column ${column})`;
    }
    return fail(`the policy is not valid JSON: ${message}`, location, error);
  }
}

/**
 * Parse and validate a resource policy. Accepts a JSON string (also a JSON
 * string that encodes a JSON string, as SQS and SNS attributes do), a policy
 * object, or an already parsed policy (returned as is).
 * Throws PolicyParseError with `context.location`, e.g. "Statement[2].Condition.StringEquals".
 */
export function parsePolicy(input: string | object): ParsedPolicy {
  if (input instanceof ParsedPolicy) return input;
  let doc: unknown = input;
  if (typeof doc === 'string') {
    doc = parseJson(doc);
    if (typeof doc === 'string') doc = parseJson(doc);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail('a policy must be a JSON object', '$');
  const policy = doc as Record<string, unknown>;
  for (const key of Object.keys(policy)) if (!POLICY_KEYS.has(key)) fail(`unknown policy element "${key}"`, key);
  if (policy.Version !== undefined && policy.Version !== '2012-10-17' && policy.Version !== '2008-10-17') {
    fail(`Version must be "2012-10-17" or "2008-10-17"`, 'Version');
  }
  if (policy.Id !== undefined && typeof policy.Id !== 'string') fail('Id must be a string', 'Id');
  const rawStatements = policy.Statement;
  if (rawStatements === undefined) fail('a policy needs a Statement', 'Statement');
  const statementIsArray = Array.isArray(rawStatements);
  const list: unknown[] = statementIsArray ? (rawStatements as unknown[]) : [rawStatements];

  const drafts: Draft[] = list.map((s, i) => parseStatement(s, i, statementIsArray ? `Statement[${i}]` : 'Statement'));
  const denies: DenyTransform[] = [];
  for (const d of drafts) {
    if (d.effect !== 'Deny') continue;
    const t = prepareDeny(d);
    if (t) denies.push(t);
  }
  const statements: CompiledStatement[] = drafts.map((d) => {
    const principalText = describePrincipals(d);
    const groups = d.effect === 'Allow' ? internGroups(actionGroups(d, denies)) : NO_GROUPS;
    d.audience = internAudience(d.audience);
    const facts = { actions: d.actions, notAction: d.notAction, notPrincipal: d.notPrincipal, principals: d.principals, principalText, conditions: d.conditions };
    const texts = statementTexts(d, principalText);
    const publicText = d.effect === 'Allow' ? publicReason(facts) : '';
    const fixed = fixedOutcome(d, groups, facts, texts.grant, publicText);
    return {
      index: d.index,
      sid: d.sid,
      effect: d.effect,
      raw: d.raw,
      principals: d.principals,
      notPrincipal: d.notPrincipal,
      actions: d.actions,
      notAction: d.notAction,
      resources: d.resources,
      notResource: d.notResource,
      conditions: d.conditions,
      audience: d.audience,
      groups,
      principalText,
      actionText: texts.action,
      grantText: texts.grant,
      insideText: texts.inside,
      confinedText: texts.confined,
      accountText: texts.account,
      publicText,
      fixedVerdict: fixed.verdict,
      fixedFindings: fixed.findings,
    };
  });
  return new ParsedPolicy(doc as PolicyDocument, statements, statementIsArray, inferKind(statements));
}
