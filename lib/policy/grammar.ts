/**
 * Grammar: read a policy document as written, element by element, into plain
 * statements. It never refuses a policy that is a JSON object: whatever IAM
 * would reject becomes a lint note (or, in strict mode, a PolicyParseError),
 * and every oddity is read the way that can only over-report exposure:
 * - an Allow missing an element gets the widest reading (no Principal: anyone,
 *   no Action: every action, an unreadable Resource: every resource);
 * - a Deny with anything doubtful is marked `doubtful`: it subtracts nothing.
 */
import { PolicyParseError } from '../errors';
import type { LintNote, PolicyStatement } from './types';

/** Collects lint notes; in strict mode the first note AWS would reject throws. */
export class Lint {
  readonly notes: LintNote[] = [];
  constructor(readonly strict: boolean) {}

  /** Something IAM itself refuses. */
  reject(location: string, message: string): void {
    if (this.strict) throw new PolicyParseError(`${message} (at ${location})`, { context: { location } });
    this.notes.push({ location, message, rejectedByAws: true });
  }

  /** Accepted by IAM, but worth a note. */
  warn(location: string, message: string): void {
    this.notes.push({ location, message, rejectedByAws: false });
  }
}

/** One statement as read: elements validated, oddities resolved (see the file comment). */
export interface StatementSyntax {
  readonly index: number;
  readonly location: string;
  /** The statement object as written (an empty object when it was not one). */
  readonly raw: PolicyStatement;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** Something in it could not be read as written (a Deny that is doubtful subtracts nothing). */
  doubtful: boolean;
  /** The Principal or NotPrincipal element as written; `undefined` when neither is there. */
  readonly principal: unknown;
  readonly notPrincipal: boolean;
  readonly actions: readonly string[];
  readonly notAction: boolean;
  /** null = every resource (no Resource element, or one that could not be read). */
  readonly resources: readonly string[] | null;
  readonly notResource: boolean;
  readonly condition: unknown;
}

export interface DocumentSyntax {
  /** The document as given (a top-level array is wrapped as { Statement: [...] }). */
  readonly document: Record<string, unknown>;
  readonly statementIsArray: boolean;
  readonly statements: StatementSyntax[];
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
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const ACTION_RE = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?_-]*)$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A string or a non-empty list of strings; null (after a lint note) when it is not one. */
function stringList(raw: unknown, location: string, what: string, lint: Lint): string[] | null {
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw)) {
    if (raw.length === 0) {
      lint.reject(location, `${what} must not be empty`);
      return null;
    }
    let strings = true;
    for (let i = 0; i < raw.length; i++) if (typeof raw[i] !== 'string') strings = false;
    if (strings) return raw as string[];
    for (let i = 0; i < raw.length; i++) if (typeof raw[i] !== 'string') lint.reject(`${location}[${i}]`, `${what} must be strings`);
    return null;
  }
  lint.reject(location, `${what} must be a string or an array of strings`);
  return null;
}

function readEffect(st: Record<string, unknown>, location: string, lint: Lint): { effect: 'Allow' | 'Deny'; doubtful: boolean } {
  const raw = st.Effect;
  if (raw === 'Allow' || raw === 'Deny') return { effect: raw, doubtful: false };
  lint.reject(`${location}.Effect`, 'Effect must be "Allow" or "Deny"');
  // "deny" in any case: a Deny we cannot rely on (it grants nothing, subtracts nothing). Anything else: an Allow.
  if (typeof raw === 'string' && raw.toLowerCase() === 'deny') return { effect: 'Deny', doubtful: true };
  return { effect: 'Allow', doubtful: true };
}

function readActions(st: Record<string, unknown>, location: string, lint: Lint): { actions: string[]; notAction: boolean; doubtful: boolean } {
  const hasAction = st.Action !== undefined;
  const hasNot = st.NotAction !== undefined;
  if (hasAction && hasNot) {
    lint.reject(`${location}.NotAction`, 'a statement has Action or NotAction, not both (read as every action)');
    return { actions: ['*'], notAction: false, doubtful: true };
  }
  if (!hasAction && !hasNot) {
    lint.reject(`${location}.Action`, 'a statement needs an Action (read as every action)');
    return { actions: ['*'], notAction: false, doubtful: true };
  }
  const key = hasNot ? 'NotAction' : 'Action';
  const at = `${location}.${key}`;
  const list = stringList(st[key], at, key, lint);
  if (list === null) return { actions: ['*'], notAction: false, doubtful: true };
  let doubtful = false;
  for (let i = 0; i < list.length; i++) {
    if (!ACTION_RE.test(list[i]!)) {
      lint.reject(Array.isArray(st[key]) ? `${at}[${i}]` : at, `invalid action "${list[i]}" (expected "service:Action" or "*")`);
      doubtful = true;
    }
  }
  return { actions: list, notAction: hasNot, doubtful };
}

function readResources(st: Record<string, unknown>, location: string, lint: Lint): { resources: string[] | null; notResource: boolean; doubtful: boolean } {
  const hasResource = st.Resource !== undefined;
  const hasNot = st.NotResource !== undefined;
  if (hasResource && hasNot) {
    lint.reject(`${location}.NotResource`, 'a statement has Resource or NotResource, not both (read as every resource)');
    return { resources: null, notResource: false, doubtful: true };
  }
  if (!hasResource && !hasNot) return { resources: null, notResource: false, doubtful: false };
  const key = hasNot ? 'NotResource' : 'Resource';
  const at = `${location}.${key}`;
  const list = stringList(st[key], at, key, lint);
  if (list === null) return { resources: null, notResource: false, doubtful: true };
  for (let i = 0; i < list.length; i++) {
    if (list[i] === '') {
      lint.reject(Array.isArray(st[key]) ? `${at}[${i}]` : at, 'a resource must not be empty (read as every resource)');
      return { resources: null, notResource: false, doubtful: true };
    }
  }
  return { resources: list, notResource: hasNot, doubtful: false };
}

function readStatement(raw: unknown, index: number, location: string, lint: Lint): StatementSyntax | null {
  if (!isObject(raw)) {
    lint.reject(location, 'a statement must be an object (skipped: it grants nothing)');
    return null;
  }
  let doubtful = false;
  for (const key in raw) {
    if (!isStatementKey(key)) {
      lint.reject(`${location}.${key}`, `unknown statement element "${key}" (ignored)`);
      doubtful = true;
    }
  }
  let sid: string | undefined;
  if (raw.Sid !== undefined) {
    if (typeof raw.Sid === 'string') sid = raw.Sid;
    else lint.reject(`${location}.Sid`, 'Sid must be a string');
  }
  const effect = readEffect(raw, location, lint);
  doubtful ||= effect.doubtful;

  let principal: unknown = raw.Principal;
  let notPrincipal = false;
  if (raw.Principal !== undefined && raw.NotPrincipal !== undefined) {
    lint.reject(`${location}.NotPrincipal`, 'a statement has Principal or NotPrincipal, not both');
    doubtful = true;
    if (effect.effect === 'Allow') {
      principal = raw.NotPrincipal; // an Allow with NotPrincipal is public whatever else it says
      notPrincipal = true;
    }
  } else if (raw.NotPrincipal !== undefined) {
    principal = raw.NotPrincipal;
    notPrincipal = true;
  } else if (raw.Principal === undefined) {
    lint.reject(`${location}.Principal`, 'a resource policy statement needs a Principal (read as everyone)');
    doubtful = true;
  }

  const actions = readActions(raw, location, lint);
  const resources = readResources(raw, location, lint);
  return {
    index,
    location,
    raw: raw as unknown as PolicyStatement,
    sid,
    effect: effect.effect,
    doubtful: doubtful || actions.doubtful || resources.doubtful,
    principal,
    notPrincipal,
    actions: actions.actions,
    notAction: actions.notAction,
    resources: resources.resources,
    notResource: resources.notResource,
    condition: raw.Condition,
  };
}

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
      location = `$ (line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')})`;
    }
    throw new PolicyParseError(`the policy is not valid JSON: ${message} (at ${location})`, { cause: error, context: { location } });
  }
}

/**
 * Read a policy: a JSON string (also a JSON string of a JSON string, as SQS and SNS
 * attributes hold it) or an object. Throws PolicyParseError only when there is no
 * policy to read (text that is not JSON, a value that is not an object or a list),
 * or, in strict mode, on the first thing IAM would reject.
 */
export function readDocument(input: unknown, lint: Lint): DocumentSyntax {
  let doc: unknown = input;
  if (typeof doc === 'string') {
    doc = parseJson(doc);
    if (typeof doc === 'string') doc = parseJson(doc);
  }
  if (Array.isArray(doc)) {
    lint.reject('$', 'a policy must be a JSON object (a list was read as its statements)');
    doc = { Statement: doc };
  }
  if (!isObject(doc)) throw new PolicyParseError('a policy must be a JSON object (at $)', { context: { location: '$' } });
  for (const key in doc) if (key !== 'Version' && key !== 'Statement' && key !== 'Id') lint.reject(key, `unknown policy element "${key}" (ignored)`);
  if (doc.Version !== undefined && !(typeof doc.Version === 'string' && VERSIONS.has(doc.Version))) {
    lint.reject('Version', `Version must be "2012-10-17" or "2008-10-17", not ${JSON.stringify(doc.Version)}`);
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') lint.reject('Id', 'Id must be a string');
  const raw = doc.Statement;
  const statements: StatementSyntax[] = [];
  if (raw === undefined) {
    lint.reject('Statement', 'a policy needs a Statement (read as no statement)');
    return { document: doc, statementIsArray: true, statements };
  }
  const isArray = Array.isArray(raw);
  if (!isArray && !isObject(raw)) {
    lint.reject('Statement', 'Statement must be an object or a list of objects (read as no statement)');
    return { document: doc, statementIsArray: true, statements };
  }
  const list: readonly unknown[] = isArray ? raw : [raw];
  for (let i = 0; i < list.length; i++) {
    const s = readStatement(list[i], i, isArray ? `Statement[${i}]` : 'Statement', lint);
    if (s !== null) statements.push(s);
  }
  return { document: doc, statementIsArray: isArray, statements };
}
