/**
 * parsePolicy: validate a resource policy and compile each statement into
 * what analysis needs, once. The compiled form is independent of any zone of
 * trust: the audience of every Allow (principals AND conditions, minus what
 * Deny statements provably remove) is computed here, so that analysing a
 * parsed policy against a zone only classifies a handful of atoms.
 */
import { PolicyParseError } from '../errors';
import type { Atom, Audience, Constraint } from './audience';
import { ANYONE, NOBODY, internAudience, intersectConstraints, isEmpty, narrow, narrowToExempt, subtract, withNetwork } from './audience';
import type { CompiledConditions } from './conditions';
import { NO_CONDITIONS, compileConditions } from './conditions';
import type { PrincipalEntry } from './principals';
import { parsePrincipal } from './principals';
import type { StatementFacts } from './reasons';
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

function isStatementKey(key: string): boolean {
  switch (key) {
    case 'Sid':
    case 'Effect':
    case 'Principal':
    case 'NotPrincipal':
    case 'Action':
    case 'NotAction':
    case 'Resource':
    case 'NotResource':
    case 'Condition':
      return true;
    default:
      return false;
  }
}

function isPolicyKey(key: string): boolean {
  return key === 'Version' || key === 'Id' || key === 'Statement';
}

/** "Statement[i]" for the first statements, built once. */
const STATEMENT_LOCATIONS: string[] = [];
function statementLocation(i: number, isArray: boolean): string {
  if (!isArray) return 'Statement';
  if (i >= 256) return `Statement[${i}]`;
  return (STATEMENT_LOCATIONS[i] ??= `Statement[${i}]`);
}
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

/** stringList, building the location only when the element is invalid. */
function stringListAt(raw: unknown, base: string, what: string): string[] {
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw) && raw.length > 0) {
    let strings = true;
    for (let i = 0; i < raw.length; i++) {
      if (typeof raw[i] !== 'string') {
        strings = false;
        break;
      }
    }
    if (strings) return raw as string[];
  }
  return stringList(raw, at(base, what), what);
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

// ---------------------------------------------------------------- caches

/**
 * A bounded map: two generations of at most `limit` entries each. A hit in
 * the old generation moves the entry to the new one; when the new generation
 * is full it becomes the old one (and the previous old one is dropped).
 */
class BoundedCache<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();
  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    let v = this.current.get(key);
    if (v !== undefined) return v;
    v = this.previous.get(key);
    if (v !== undefined) this.set(key, v);
    return v;
  }

  set(key: string, value: V): void {
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
}

/**
 * A bounded cache keyed by one string and told apart by two more that are
 * compared, not hashed (no key to build): e.g. a condition value, then its
 * operator and key. Same two generations as BoundedCache.
 */
class TaggedCache<V> {
  private current = new Map<string, { readonly a: string; readonly b: string; readonly value: V }[]>();
  private previous = new Map<string, { readonly a: string; readonly b: string; readonly value: V }[]>();
  constructor(private readonly limit: number) {}

  get(key: string, a: string, b: string): V | undefined {
    const list = this.current.get(key);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const e = list[i]!;
        if (e.a === a && e.b === b) return e.value;
      }
    }
    const old = this.previous.get(key);
    if (old !== undefined) {
      for (let i = 0; i < old.length; i++) {
        const e = old[i]!;
        if (e.a === a && e.b === b) {
          this.set(key, a, b, e.value);
          return e.value;
        }
      }
    }
    return undefined;
  }

  set(key: string, a: string, b: string, value: V): void {
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
    }
    let list = this.current.get(key);
    if (list === undefined) {
      list = [];
      this.current.set(key, list);
    } else if (list.length >= 8) {
      list.shift();
    }
    list.push({ a, b, value });
  }
}

/**
 * Cache keys: an injective encoding of the parts of a statement that its
 * compiled form depends on (strings are length-prefixed). Null when the value
 * has a type the fast path does not encode: it is then compiled uncached (and
 * validated, with the same errors, by the same code).
 */
function stringListKey(raw: unknown): string | null {
  if (typeof raw === 'string') return 's' + raw;
  if (!Array.isArray(raw)) return null;
  let key = 'a';
  for (let i = 0; i < raw.length; i++) {
    const v: unknown = raw[i];
    if (typeof v !== 'string') return null;
    key += v.length + ':' + v;
  }
  return key;
}

function principalKey(raw: unknown): string | null {
  if (raw === '*') return '*';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  let key = 'o';
  for (const type of Object.keys(raw)) {
    if (type === 'Federated') return null; // federated entries depend on the statement's conditions
    const part = stringListKey((raw as Record<string, unknown>)[type]);
    if (part === null) return null;
    key += type.length + ':' + type + part.length + ':' + part;
  }
  return key;
}

function conditionScalarKey(v: unknown): string | null {
  if (typeof v === 'string') return 's' + v.length + ':' + v;
  if (typeof v === 'number') {
    const s = String(v);
    return 'n' + s.length + ':' + s;
  }
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return null;
}

function conditionKey(raw: unknown): string | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  let key = '';
  for (const op of Object.keys(raw)) {
    const block: unknown = (raw as Record<string, unknown>)[op];
    if (block === null || typeof block !== 'object' || Array.isArray(block)) return null;
    const keys = Object.keys(block);
    key += op.length + ':' + op + keys.length + ';';
    for (const k of keys) {
      const value: unknown = (block as Record<string, unknown>)[k];
      key += k.length + ':' + k;
      if (Array.isArray(value)) {
        key += '[' + value.length + ';';
        for (let i = 0; i < value.length; i++) {
          const part = conditionScalarKey(value[i]);
          if (part === null) return null;
          key += part;
        }
      } else {
        const part = conditionScalarKey(value);
        if (part === null) return null;
        key += part;
      }
    }
  }
  return key;
}

const CACHE_LIMIT = 20_000;
let nextPrincipalsId = 1;
let nextActionsId = 1;
/** Part ids stay below these so that a shape key is a small integer (see shapeOf); the caches start over before. */
const PRINCIPALS_ID_LIMIT = 1 << 13;
const ACTIONS_ID_LIMIT = 1 << 14;

interface ConditionsPart {
  /** The shapes of the statements with these conditions (see shapeOf). */
  shapes: ShapeTable | null;
  /** False when compiled uncached (its statements' shapes are not cached either). */
  readonly cached: boolean;
  readonly conditions: CompiledConditions;
}
interface PrincipalsPart {
  readonly id: number;
  /** False when compiled uncached (its statements' shapes are not cached either). */
  readonly cached: boolean;
  readonly principals: readonly PrincipalEntry[];
}
interface ActionsPart {
  readonly id: number;
  /** False when compiled uncached (its statements' shapes are not cached either). */
  readonly cached: boolean;
  readonly actions: readonly string[];
  readonly actionsLower: readonly string[];
  /** The kind the first action with a known service prefix suggests (for inferKind). */
  readonly kind: ResourceKind | null;
}

let conditionsCache = new BoundedCache<ConditionsPart>(CACHE_LIMIT);
let principalsCache = new BoundedCache<PrincipalsPart>(CACHE_LIMIT);
let actionsCache = new BoundedCache<ActionsPart>(CACHE_LIMIT);
const NO_CONDITIONS_PART: ConditionsPart = { shapes: null, cached: true, conditions: NO_CONDITIONS };

function freezeConditions(c: CompiledConditions): CompiledConditions {
  if (c === NO_CONDITIONS) return c;
  Object.freeze(c.listed);
  Object.freeze(c.notes);
  return Object.freeze(c);
}

/** One operator, one key, one string value (the common condition): by operator, key and value. */
let singleConditions = new TaggedCache<ConditionsPart>(CACHE_LIMIT);
const tripleKeys: string[] = ['', '', ''];

function singleCondition(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  let op: string | null = null;
  for (const k in raw) {
    if (op !== null || !Object.prototype.hasOwnProperty.call(raw, k)) return false;
    op = k;
  }
  if (op === null) return false;
  const block: unknown = (raw as Record<string, unknown>)[op];
  if (block === null || typeof block !== 'object' || Array.isArray(block)) return false;
  let key: string | null = null;
  for (const k in block) {
    if (key !== null || !Object.prototype.hasOwnProperty.call(block, k)) return false;
    key = k;
  }
  if (key === null) return false;
  const value: unknown = (block as Record<string, unknown>)[key];
  if (typeof value !== 'string') return false;
  tripleKeys[0] = op;
  tripleKeys[1] = key;
  tripleKeys[2] = value;
  return true;
}

function conditionsPart(raw: unknown, base: string): ConditionsPart {
  if (raw === undefined) return NO_CONDITIONS_PART;
  const single = singleCondition(raw);
  const key = single ? null : conditionKey(raw);
  if (single) {
    const hit = singleConditions.get(tripleKeys[2]!, tripleKeys[0]!, tripleKeys[1]!);
    if (hit !== undefined) return hit;
  } else if (key !== null) {
    const hit = conditionsCache.get(key);
    if (hit !== undefined) return hit;
  }
  const part: ConditionsPart = { shapes: null, cached: single || key !== null, conditions: freezeConditions(compileConditions(raw, at(base, 'Condition'))) };
  if (single && singleCondition(raw)) singleConditions.set(tripleKeys[2]!, tripleKeys[0]!, tripleKeys[1]!, part);
  else if (key !== null) conditionsCache.set(key, part);
  return part;
}

/** `"Principal": "*"` (parsed once per cache generation). */
let anyonePart: PrincipalsPart | null = null;
/** Single-entry principals ({ AWS: "…" }, { Service: "…" }, { CanonicalUser: "…" }): by value, then type. */
let singlePrincipals = new TaggedCache<PrincipalsPart>(CACHE_LIMIT);
let singleType = '';
let singleValue = '';

/** Is `raw` an object with one own entry of a cacheable type and a string value? Sets singleType / singleValue. */
function singlePrincipal(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  let type: string | null = null;
  for (const k in raw) {
    if (type !== null || !Object.prototype.hasOwnProperty.call(raw, k)) return false;
    type = k;
  }
  if (type !== 'AWS' && type !== 'Service' && type !== 'CanonicalUser') return false;
  const value: unknown = (raw as Record<string, unknown>)[type];
  if (typeof value !== 'string') return false;
  singleType = type;
  singleValue = value;
  return true;
}

function principalsPart(raw: unknown, conditions: CompiledConditions, base: string, element: string): PrincipalsPart {
  if (raw === '*') {
    if (anyonePart === null) anyonePart = { id: nextPrincipalsId++, cached: true, principals: Object.freeze(parsePrincipal(raw, conditions.fixed, at(base, element))) };
    return anyonePart;
  }
  if (singlePrincipal(raw)) {
    const type = singleType;
    const value = singleValue;
    const hit = singlePrincipals.get(value, type, '');
    if (hit !== undefined) return hit;
    const part: PrincipalsPart = { id: nextPrincipalsId++, cached: true, principals: Object.freeze(parsePrincipal(raw, conditions.fixed, at(base, element))) };
    singlePrincipals.set(value, type, '', part);
    return part;
  }
  const key = principalKey(raw);
  if (key !== null) {
    const hit = principalsCache.get(key);
    if (hit !== undefined) return hit;
  }
  const part: PrincipalsPart = { id: nextPrincipalsId++, cached: key !== null, principals: Object.freeze(parsePrincipal(raw, conditions.fixed, at(base, element))) };
  if (key !== null) principalsCache.set(key, part);
  return part;
}

function actionKind(actions: readonly string[]): ResourceKind | null {
  for (const a of actions) {
    const colon = a.indexOf(':');
    if (colon <= 0) continue;
    const kind = KIND_BY_PREFIX[a.slice(0, colon).toLowerCase()];
    if (kind) return kind;
  }
  return null;
}

let singleActions = new BoundedCache<ActionsPart>(CACHE_LIMIT);
let pairActions = new TaggedCache<ActionsPart>(CACHE_LIMIT);

function actionsPart(raw: unknown, base: string, what: string): ActionsPart {
  // Fast paths: one action (a string or a one-element array: the same list), two actions.
  let single: string | null = null;
  let pair = false;
  let key: string | null = null;
  if (typeof raw === 'string') single = raw;
  else if (Array.isArray(raw) && raw.length === 1 && typeof raw[0] === 'string') single = raw[0] as string;
  else if (Array.isArray(raw) && raw.length === 2 && typeof raw[0] === 'string' && typeof raw[1] === 'string') pair = true;
  else key = stringListKey(raw);
  if (single !== null) {
    const hit = singleActions.get(single);
    if (hit !== undefined) return hit;
  } else if (pair) {
    const hit = pairActions.get((raw as string[])[0]!, (raw as string[])[1]!, '');
    if (hit !== undefined) return hit;
  } else if (key !== null) {
    const hit = actionsCache.get(key);
    if (hit !== undefined) return hit;
  }
  const location = at(base, what);
  const list = stringList(raw, location, what);
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    if (!ACTION_RE.test(a)) fail(`invalid action "${a}" (expected "service:Action" or "*")`, Array.isArray(raw) ? `${location}[${i}]` : location);
  }
  const actions = Object.freeze(list.slice());
  const part: ActionsPart = { id: nextActionsId++, cached: single !== null || pair || key !== null, actions, actionsLower: Object.freeze(actions.map((a) => a.toLowerCase())), kind: actionKind(actions) };
  if (single !== null) singleActions.set(single, part);
  else if (pair) {
    pairActions.set((raw as string[])[0]!, (raw as string[])[1]!, '', part);
  } else if (key !== null) actionsCache.set(key, part);
  return part;
}

// ---------------------------------------------------------------- statement shapes

/** What a Deny statement does to an audience, before resources and actions are matched. */
interface DenyEffect {
  /** Who it applies to: null = everyone. */
  readonly scope: Constraint;
  /** Who is exempt: null = nobody. */
  readonly exceptions: readonly Atom[] | null;
  readonly networkException: string | null;
}

/** The zone-independent outcome of a statement, without its index and Sid. */
interface OutcomeTemplate {
  readonly effect: 'Allow' | 'Deny';
  readonly verdict: StatementVerdict['verdict'];
  readonly reason: string;
  /** Set for a public statement: the parts of its one finding. */
  readonly finding: { readonly actions: readonly string[]; readonly notActions: readonly string[] | null; readonly conditions: readonly string[] } | null;
}

const NO_DENIES: readonly number[] = Object.freeze([]);
const NO_GROUPS: readonly ActionGroup[] = Object.freeze([]);
const ALL_ACTIONS: readonly string[] = Object.freeze(['*']);
const NO_FINDINGS: readonly ExternalAccessFinding[] = Object.freeze([]);
const NO_STRINGS = Object.freeze([]) as unknown as string[];

/**
 * The compiled form of a statement that depends only on its Effect, Principal /
 * NotPrincipal, Action / NotAction and Condition (not on its index, Sid or
 * resources). Shapes are cached and shared across statements and policies;
 * reason texts are built on first use.
 */
class Shape implements StatementFacts {
  readonly audience: Audience;
  readonly deny: DenyEffect | null;
  /** The Allow's action groups when no Deny statement applies (interned). */
  readonly wholeGroups: readonly ActionGroup[];
  private principalTextValue: string | undefined;
  private textsValue: { action: string; grant: string; inside: string; confined: string; account: string } | undefined;
  private publicTextValue: string | undefined;
  private outcomeValue: OutcomeTemplate | null | undefined;

  constructor(
    readonly effect: 'Allow' | 'Deny',
    readonly principals: readonly PrincipalEntry[],
    readonly notPrincipal: boolean,
    readonly actionsPart: ActionsPart,
    readonly notAction: boolean,
    readonly conditions: CompiledConditions,
  ) {
    let audience: Audience = NOBODY;
    if (effect === 'Allow') {
      if (notPrincipal) audience = ANYONE;
      else if (principals.some((p) => p.atom === null)) audience = ANYONE;
      else audience = { any: false, atoms: principals.map((p) => p.atom as Atom), network: null };
      audience = narrow(audience, conditions.allowConstraint);
      if (conditions.network) audience = withNetwork(audience, conditions.network);
    }
    this.audience = internAudience(audience);
    this.deny = effect === 'Deny' ? prepareDeny(this) : null;
    this.wholeGroups = effect === 'Allow' ? Object.freeze([Object.freeze({ actions: notAction ? ALL_ACTIONS : this.actions, audience: this.audience, deniedBy: NO_DENIES })]) : NO_GROUPS;
  }

  get actions(): readonly string[] {
    return this.actionsPart.actions;
  }

  get actionsLower(): readonly string[] {
    return this.actionsPart.actionsLower;
  }

  get principalText(): string {
    return (this.principalTextValue ??= describePrincipals(this));
  }

  get texts(): { action: string; grant: string; inside: string; confined: string; account: string } {
    return (this.textsValue ??= statementTexts(this, this.principalText));
  }

  get publicText(): string {
    return (this.publicTextValue ??= this.effect === 'Allow' ? publicReason(this) : '');
  }

  /** The outcome when no Deny statement applies; null when it depends on the zone. */
  get outcome(): OutcomeTemplate | null {
    if (this.outcomeValue === undefined) this.outcomeValue = fixedOutcome(this, this.wholeGroups, NO_DENIES);
    return this.outcomeValue;
  }
}

/** Shapes by their parts: conditions part -> (principals part id, actions part id) -> flags (no string key to build). */
type ShapeTable = Map<number, Shape>;
const SHAPE_FANOUT = 20_000;

function shapeOf(effect: 'Allow' | 'Deny', p: PrincipalsPart, notPrincipal: boolean, a: ActionsPart, notAction: boolean, c: ConditionsPart, cacheable: boolean): Shape {
  if (!cacheable || p.id >= PRINCIPALS_ID_LIMIT || a.id >= ACTIONS_ID_LIMIT) return new Shape(effect, p.principals, notPrincipal, a, notAction, c.conditions);
  const table = (c.shapes ??= new Map());
  // < 2^30: a small integer key (p.id < 2^13, a.id < 2^14, 3 bits of flags).
  const key = ((p.id * ACTIONS_ID_LIMIT + a.id) << 3) | (effect === 'Allow' ? 0 : 4) | (notPrincipal ? 2 : 0) | (notAction ? 1 : 0);
  let shape = table.get(key);
  if (shape === undefined) {
    if (table.size >= SHAPE_FANOUT) table.clear();
    shape = new Shape(effect, p.principals, notPrincipal, a, notAction, c.conditions);
    table.set(key, shape);
  }
  return shape;
}

/** Start every cache over (before part ids run out; see shapeOf). Exported for benchmarks that measure a cold start. */
export function resetCaches(): void {
  conditionsCache = new BoundedCache<ConditionsPart>(CACHE_LIMIT);
  singleConditions = new TaggedCache<ConditionsPart>(CACHE_LIMIT);
  principalsCache = new BoundedCache<PrincipalsPart>(CACHE_LIMIT);
  singlePrincipals = new TaggedCache<PrincipalsPart>(CACHE_LIMIT);
  anyonePart = null;
  actionsCache = new BoundedCache<ActionsPart>(CACHE_LIMIT);
  singleActions = new BoundedCache<ActionsPart>(CACHE_LIMIT);
  pairActions = new TaggedCache<ActionsPart>(CACHE_LIMIT);
  NO_CONDITIONS_PART.shapes = null;
  nextPrincipalsId = 1;
  nextActionsId = 1;
}

/** One compiled statement: its shape plus what is its own (index, Sid, resources, the outcome given the other statements). */
class Statement implements CompiledStatement {
  constructor(
    readonly index: number,
    readonly sid: string | undefined,
    readonly raw: PolicyStatement,
    /** Resource / NotResource as written (validated): a string, a list, or null. */
    private readonly resourceValue: string | readonly string[] | null,
    readonly notResource: boolean,
    readonly shape: Shape,
    public groups: readonly ActionGroup[],
    public fixedVerdict: StatementVerdict | null,
    public fixedFindings: readonly ExternalAccessFinding[],
  ) {}

  get resources(): readonly string[] | null {
    const r = this.resourceValue;
    return typeof r === 'string' ? [r] : r;
  }
  get effect(): 'Allow' | 'Deny' {
    return this.shape.effect;
  }
  get principals(): readonly PrincipalEntry[] {
    return this.shape.principals;
  }
  get notPrincipal(): boolean {
    return this.shape.notPrincipal;
  }
  get actions(): readonly string[] {
    return this.shape.actionsPart.actions;
  }
  get notAction(): boolean {
    return this.shape.notAction;
  }
  get conditions(): CompiledConditions {
    return this.shape.conditions;
  }
  get audience(): Audience {
    return this.shape.audience;
  }
  get principalText(): string {
    return this.shape.principalText;
  }
  get actionText(): string {
    return this.shape.texts.action;
  }
  get grantText(): string {
    return this.shape.texts.grant;
  }
  get insideText(): string {
    return this.shape.texts.inside;
  }
  get confinedText(): string {
    return this.shape.texts.confined;
  }
  get accountText(): string {
    return this.shape.texts.account;
  }
  get publicText(): string {
    return this.shape.publicText;
  }
}

function inferKind(statements: readonly Statement[]): ResourceKind {
  for (const s of statements) {
    if (s.shape.notAction) continue;
    const kind = s.shape.actionsPart.kind;
    if (kind) return kind;
  }
  return 'generic';
}

function parseStatement(raw: unknown, index: number, location: string): Statement {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('a statement must be an object', location);
  const st = raw as Record<string, unknown>;
  for (const key of Object.keys(st)) if (!isStatementKey(key)) fail(`unknown statement element "${key}"`, at(location, key));
  if (st.Sid !== undefined && typeof st.Sid !== 'string') fail('Sid must be a string', at(location, 'Sid'));
  if (st.Effect !== 'Allow' && st.Effect !== 'Deny') fail(`Effect must be "Allow" or "Deny"`, at(location, 'Effect'));
  const effect = st.Effect;

  if (st.Principal !== undefined && st.NotPrincipal !== undefined) fail('a statement has Principal or NotPrincipal, not both', at(location, 'NotPrincipal'));
  if (st.Principal === undefined && st.NotPrincipal === undefined) fail('a resource policy statement needs a Principal', at(location, 'Principal'));
  if (st.Action !== undefined && st.NotAction !== undefined) fail('a statement has Action or NotAction, not both', at(location, 'NotAction'));
  if (st.Action === undefined && st.NotAction === undefined) fail('a statement needs an Action', at(location, 'Action'));
  if (st.Resource !== undefined && st.NotResource !== undefined) fail('a statement has Resource or NotResource, not both', at(location, 'NotResource'));

  const c = conditionsPart(st.Condition, location);

  const notPrincipal = st.NotPrincipal !== undefined;
  const principalKeyName = notPrincipal ? 'NotPrincipal' : 'Principal';
  const p = principalsPart(notPrincipal ? st.NotPrincipal : st.Principal, c.conditions, location, principalKeyName);

  const notAction = st.NotAction !== undefined;
  const actionKey = notAction ? 'NotAction' : 'Action';
  const a = actionsPart(notAction ? st.NotAction : st.Action, location, actionKey);

  const notResource = st.NotResource !== undefined;
  let resources: string | string[] | null = null;
  if (st.Resource !== undefined || notResource) {
    const resourceKey = notResource ? 'NotResource' : 'Resource';
    const rawResources = notResource ? st.NotResource : st.Resource;
    if (typeof rawResources === 'string') {
      if (rawResources === '') fail('a resource must not be empty', at(location, resourceKey));
      resources = rawResources;
    } else {
      const list = stringListAt(rawResources, location, resourceKey);
      for (let i = 0; i < list.length; i++) if (list[i] === '') fail('a resource must not be empty', `${at(location, resourceKey)}[${i}]`);
      resources = list;
    }
  }

  const shape = shapeOf(effect, p, notPrincipal, a, notAction, c, p.cached && a.cached && c.cached);
  return new Statement(index, st.Sid as string | undefined, raw as PolicyStatement, resources, notResource, shape, NO_GROUPS, null, NO_FINDINGS);
}

// ---------------------------------------------------------------- Deny statements

interface DenyTransform extends DenyEffect {
  readonly index: number;
  readonly statement: Statement;
}

function prepareDeny(d: Shape): DenyEffect | null {
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
  return { scope, exceptions, networkException: d.conditions.denyNetworkException };
}

function applyDeny(aud: Audience, t: DenyEffect): Audience {
  if (isEmpty(aud)) return aud;
  if (t.scope !== null) return subtract(aud, t.scope);
  if (t.exceptions === null && t.networkException === null) return NOBODY;
  if (t.networkException !== null) return withNetwork(aud, t.networkException);
  return narrowToExempt(aud, t.exceptions ?? []);
}

function denyCoversAction(d: Shape, allowAction: string): boolean {
  if (d.notAction) return d.actionsLower.every((n) => patternsDisjoint(allowAction, n));
  return d.actionsLower.some((q) => patternCovers(q, allowAction));
}

function denyCoversResources(d: Statement, a: Statement): boolean {
  const resources = a.resources;
  const allowResources = resources === null || a.notResource ? ['*'] : resources;
  const denied = d.resources;
  if (denied === null) return true;
  if (d.notResource) return allowResources.every((r) => denied.every((n) => patternsDisjoint(r, n)));
  return allowResources.every((r) => denied.some((q) => patternCovers(q, r)));
}

/** The Allow's action groups given the policy's provable Deny statements; null when none applies (the shape's whole group). */
function actionGroups(a: Statement, denies: readonly DenyTransform[]): ActionGroup[] | null {
  const shape = a.shape;
  if (isEmpty(shape.audience)) return null;
  const relevant = denies.filter((d) => denyCoversResources(d.statement, a));
  if (relevant.length === 0) return null;
  const probe = shape.notAction ? ['*'] : shape.actionsLower;
  const byMask = new Map<string, { actions: string[]; deny: DenyTransform[] }>();
  probe.forEach((action, i) => {
    const applying = relevant.filter((d) => denyCoversAction(d.statement.shape, action));
    const key = applying.map((d) => d.index).join(',');
    const group = byMask.get(key) ?? { actions: [], deny: applying };
    group.actions.push(shape.notAction ? '*' : (shape.actions[i] as string));
    byMask.set(key, group);
  });
  const groups: ActionGroup[] = [];
  for (const g of byMask.values()) {
    let audience = shape.audience;
    for (const d of g.deny) audience = applyDeny(audience, d);
    groups.push({ actions: Object.freeze(g.actions), audience, deniedBy: g.deny.length === 0 ? NO_DENIES : g.deny.map((d) => d.index) });
  }
  return groups;
}

/** Reason prefixes, built by concatenation so that they share their parts. */
function statementTexts(d: Shape, principalText: string): { action: string; grant: string; inside: string; confined: string; account: string } {
  const action = actionText(d);
  const grantsAction = 'grants ' + action;
  const grant = grantsAction + ' to ' + principalText;
  const listed = d.conditions.listed;
  const confined = listed.length === 0 ? grant + ', but its conditions confine it to the zone (' : grant + ', but ' + listed.join(' AND ') + (listed.length > 1 ? ' confine' : ' confines') + ' it to the zone (';
  return { action, grant, inside: grant + ': every principal is inside the zone (', confined, account: grantsAction + ' to account ' };
}

function onlyPinned(aud: Audience): boolean {
  for (const a of aud.atoms) if (a.t !== 'pin') return false;
  return true;
}

/**
 * The outcome of a statement whose audience holds no account-like atom: it is
 * the same in every zone of trust and for every resource kind, so it is built
 * once here and analysis only hands it out. `deniedBy`: the Deny statements
 * that narrowed the groups (their indexes appear in the reason).
 */
function fixedOutcome(d: Shape, groups: readonly ActionGroup[], deniedByGroups: readonly number[]): OutcomeTemplate | null {
  if (d.effect === 'Deny') return { effect: 'Deny', verdict: 'deny', reason: denyReason(d), finding: null };
  if (!onlyPinned(d.audience) || !groups.every((g) => onlyPinned(g.audience))) return null;
  const publicActions: string[] = [];
  for (const g of groups) if (g.audience.any && !g.audience.network) for (const a of g.actions) if (!publicActions.includes(a)) publicActions.push(a);
  if (publicActions.length > 0) {
    const reason = d.publicText;
    return {
      effect: 'Allow',
      verdict: 'public',
      reason,
      finding: { actions: Object.freeze(publicActions), notActions: d.notAction ? Object.freeze([...d.actions]) : null, conditions: Object.freeze([...d.conditions.listed]) },
    };
  }
  const deniedBy = deniedByGroups;
  const grant = d.texts.grant;
  let verdict: StatementVerdict['verdict'];
  let reason: string;
  const network = groups.find((g) => g.audience.network)?.audience.network ?? null;
  const pinned = groups.flatMap((g) => g.audience.atoms).find((a) => a.t === 'pin')?.id ?? null;
  if (deniedBy.length > 0 && d.audience.any && !d.audience.network) {
    verdict = 'deny-covered';
    reason = deniedReason(d, deniedBy);
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
    reason = deniedReason(d, deniedBy);
  } else {
    verdict = 'trusted-by-condition';
    reason = `${grant}, but ${d.conditions.listed.join(' AND ') || 'its conditions'} match${d.conditions.listed.length > 1 ? '' : 'es'} no caller`;
  }
  return { effect: 'Allow', verdict, reason, finding: null };
}

/** Give a statement the outcome of a template (frozen: analysis results share it). */
function settle(s: Statement, t: OutcomeTemplate | null): void {
  if (t === null) return;
  const index = s.index;
  const sid = s.sid;
  s.fixedVerdict = Object.freeze({ statementIndex: index, sid, effect: t.effect, verdict: t.verdict, reason: t.reason });
  const f = t.finding;
  if (f === null) return;
  const finding: ExternalAccessFinding =
    f.notActions === null
      ? { statementIndex: index, sid, source: 'policy', access: 'public', accounts: NO_STRINGS, principals: NO_STRINGS, actions: f.actions as string[], conditions: f.conditions as string[], reason: t.reason }
      : { statementIndex: index, sid, source: 'policy', access: 'public', accounts: NO_STRINGS, principals: NO_STRINGS, actions: f.actions as string[], notActions: f.notActions as string[], conditions: f.conditions as string[], reason: t.reason };
  s.fixedFindings = Object.freeze([Object.freeze(finding)]);
}

function describePrincipals(d: Shape): string {
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
  for (const key of Object.keys(policy)) if (!isPolicyKey(key)) fail(`unknown policy element "${key}"`, key);
  if (policy.Version !== undefined && policy.Version !== '2012-10-17' && policy.Version !== '2008-10-17') {
    fail(`Version must be "2012-10-17" or "2008-10-17"`, 'Version');
  }
  if (policy.Id !== undefined && typeof policy.Id !== 'string') fail('Id must be a string', 'Id');
  const rawStatements = policy.Statement;
  if (rawStatements === undefined) fail('a policy needs a Statement', 'Statement');
  const statementIsArray = Array.isArray(rawStatements);
  const list: readonly unknown[] = statementIsArray ? (rawStatements as unknown[]) : [rawStatements];

  // Each statement adds at most one principals part and one actions part.
  if (nextPrincipalsId + list.length >= PRINCIPALS_ID_LIMIT || nextActionsId + list.length >= ACTIONS_ID_LIMIT) resetCaches();
  const statements: Statement[] = new Array<Statement>(list.length);
  let denies: DenyTransform[] | null = null;
  for (let i = 0; i < list.length; i++) {
    const s = parseStatement(list[i], i, statementLocation(i, statementIsArray));
    statements[i] = s;
    const deny = s.shape.deny;
    if (deny !== null) (denies ??= []).push({ scope: deny.scope, exceptions: deny.exceptions, networkException: deny.networkException, index: i, statement: s });
  }
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    const shape = s.shape;
    const groups = shape.effect === 'Allow' && denies !== null ? actionGroups(s, denies) : null;
    if (groups === null) {
      s.groups = shape.wholeGroups;
      settle(s, shape.outcome);
    } else {
      s.groups = Object.freeze(groups.map((g) => Object.freeze(g)));
      const deniedBy: number[] = [];
      for (const g of s.groups) for (const d of g.deniedBy) if (!deniedBy.includes(d)) deniedBy.push(d);
      settle(s, fixedOutcome(shape, s.groups, deniedBy));
    }
  }
  return new ParsedPolicy(doc as PolicyDocument, statements, statementIsArray, inferKind(statements));
}
