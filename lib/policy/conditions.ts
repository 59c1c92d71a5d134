/**
 * Condition blocks: validation of every IAM operator family and what each
 * condition means for the audience of a statement.
 *
 * Only conditions on keys that a caller cannot forge narrow a grant
 * (Access Analyzer's list: principal / source account, organization and ARN,
 * aws:userid, kms:CallerAccount, and the network keys). A condition narrows
 * only with a positive operator, without `...IfExists` (a missing key would
 * pass), without `ForAllValues:` (an empty set passes), and with values that
 * are not wildcards. Everything else is listed as "considered" and leaves the
 * grant as it was: negated operators and unknown keys never make a grant safe.
 *
 * Never refuses: an unknown operator, a nested value, a malformed or wildcard
 * identity value get a lint note and narrow nothing; in a Deny they make the
 * statement unprovable (it subtracts nothing).
 */
import { atom, isAccountId } from './audience';
import type { Atom, Constraint } from './audience';
import { intersectConstraints } from './audience';
import type { Lint } from './grammar';

type Family = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';

interface OperatorInfo {
  readonly name: string;
  readonly family: Family;
  readonly negated: boolean;
  /** StringLike / ArnLike: values are patterns; StringEquals: values compared literally (we still treat `*` as a wildcard, see README). */
  readonly like: boolean;
}

const BASE_OPERATORS: readonly OperatorInfo[] = [
  { name: 'StringEquals', family: 'String', negated: false, like: false },
  { name: 'StringNotEquals', family: 'String', negated: true, like: false },
  { name: 'StringEqualsIgnoreCase', family: 'String', negated: false, like: false },
  { name: 'StringNotEqualsIgnoreCase', family: 'String', negated: true, like: false },
  { name: 'StringLike', family: 'String', negated: false, like: true },
  { name: 'StringNotLike', family: 'String', negated: true, like: true },
  { name: 'NumericEquals', family: 'Numeric', negated: false, like: false },
  { name: 'NumericNotEquals', family: 'Numeric', negated: true, like: false },
  { name: 'NumericLessThan', family: 'Numeric', negated: false, like: false },
  { name: 'NumericLessThanEquals', family: 'Numeric', negated: false, like: false },
  { name: 'NumericGreaterThan', family: 'Numeric', negated: false, like: false },
  { name: 'NumericGreaterThanEquals', family: 'Numeric', negated: false, like: false },
  { name: 'DateEquals', family: 'Date', negated: false, like: false },
  { name: 'DateNotEquals', family: 'Date', negated: true, like: false },
  { name: 'DateLessThan', family: 'Date', negated: false, like: false },
  { name: 'DateLessThanEquals', family: 'Date', negated: false, like: false },
  { name: 'DateGreaterThan', family: 'Date', negated: false, like: false },
  { name: 'DateGreaterThanEquals', family: 'Date', negated: false, like: false },
  { name: 'Bool', family: 'Bool', negated: false, like: false },
  { name: 'BinaryEquals', family: 'Binary', negated: false, like: false },
  { name: 'IpAddress', family: 'Ip', negated: false, like: false },
  { name: 'NotIpAddress', family: 'Ip', negated: true, like: false },
  { name: 'ArnEquals', family: 'Arn', negated: false, like: true },
  { name: 'ArnLike', family: 'Arn', negated: false, like: true },
  { name: 'ArnNotEquals', family: 'Arn', negated: true, like: true },
  { name: 'ArnNotLike', family: 'Arn', negated: true, like: true },
  { name: 'Null', family: 'Null', negated: false, like: false },
];

const OPERATORS_BY_LOWER = new Map<string, OperatorInfo>(BASE_OPERATORS.map((o) => [o.name.toLowerCase(), o]));

export interface ParsedOperator {
  readonly text: string;
  readonly base: OperatorInfo;
  readonly ifExists: boolean;
  readonly set: 'any' | 'all' | null;
}

const operatorCache = new Map<string, ParsedOperator | null>();

/** Parse `ForAnyValue:StringLikeIfExists` and friends; null when not an IAM operator. */
export function parseOperator(text: string): ParsedOperator | null {
  const cached = operatorCache.get(text);
  if (cached !== undefined) return cached;
  let rest = text;
  let set: 'any' | 'all' | null = null;
  const lower = text.toLowerCase();
  if (lower.startsWith('foranyvalue:')) {
    set = 'any';
    rest = text.slice('ForAnyValue:'.length);
  } else if (lower.startsWith('forallvalues:')) {
    set = 'all';
    rest = text.slice('ForAllValues:'.length);
  }
  let ifExists = false;
  let baseName = rest.toLowerCase();
  if (baseName.endsWith('ifexists')) {
    ifExists = true;
    baseName = baseName.slice(0, -'ifexists'.length);
  }
  const base = OPERATORS_BY_LOWER.get(baseName);
  const parsed = base && !(ifExists && base.family === 'Null') ? { text, base, ifExists, set } : null;
  if (operatorCache.size < 10_000) operatorCache.set(text, parsed);
  return parsed;
}

/** How a condition key bears on who the caller is. `resource`: describes the resource itself, never the caller. */
type KeyClass = 'account' | 'org' | 'orgpath' | 'arn' | 'userid' | 'ip' | 'vpc' | 'resource' | 'other';

const KEY_CLASSES = new Map<string, KeyClass>([
  ['aws:principalaccount', 'account'],
  ['kms:calleraccount', 'account'],
  ['aws:sourceaccount', 'account'],
  ['aws:sourceowner', 'account'],
  ['s3:dataaccesspointaccount', 'account'],
  ['aws:vpceaccount', 'account'],
  ['aws:principalorgid', 'org'],
  ['aws:sourceorgid', 'org'],
  ['aws:vpceorgid', 'org'],
  ['aws:principalorgpaths', 'orgpath'],
  ['aws:sourceorgpaths', 'orgpath'],
  ['aws:vpceorgpaths', 'orgpath'],
  // In a resource policy these name the owner of the resource being reached (always this resource):
  // true for every caller when they name the zone, so they never narrow who.
  ['aws:resourceaccount', 'resource'],
  ['aws:resourceorgid', 'resource'],
  ['aws:resourceorgpaths', 'resource'],
  ['aws:principalarn', 'arn'],
  ['aws:sourcearn', 'arn'],
  ['s3:dataaccesspointarn', 'arn'],
  ['kms:encryptioncontext:aws:logs:arn', 'arn'],
  ['kms:encryptioncontext:aws:cloudtrail:arn', 'arn'],
  ['aws:userid', 'userid'],
  ['aws:sourceip', 'ip'],
  ['aws:vpcsourceip', 'ip'],
  ['aws:sourcevpc', 'vpc'],
  ['aws:sourcevpce', 'vpc'],
]);

/** Keys Access Analyzer documents that are not about identity: shown, never narrowing. */
const KNOWN_NEUTRAL_KEYS = new Set(['kms:viaservice', 'lambda:functionurlauthtype', 'aws:securetransport', 'sts:externalid']);

export interface CompiledConditions {
  /** AND of the narrowing identity conditions of an Allow (null: none narrows). */
  readonly allowConstraint: Constraint;
  /** Description of a fixed network condition, when there is one. */
  readonly network: string | null;
  /** Positive, non-IfExists conditions by lower-case key (for federated-provider checks). */
  readonly fixed: ReadonlyMap<string, readonly string[]>;
  /** For a Deny: callers it provably applies to (AND of positive identity conditions); null = everyone. */
  readonly denyScope: Constraint;
  /** For a Deny: callers exempted by negated identity conditions; null = none exempted. */
  readonly denyExceptions: readonly Atom[] | null;
  /** For a Deny: a negated network condition exempts callers from that network. */
  readonly denyNetworkException: string | null;
  /** For a Deny: some condition makes it impossible to prove when the Deny applies. */
  readonly denyUnprovable: boolean;
  /** Conditions listed for humans: "StringEquals aws:PrincipalOrgID=o-abc123". */
  readonly listed: readonly string[];
  /** Why conditions did or did not narrow (one short sentence each). */
  readonly notes: readonly string[];
}

export const NO_CONDITIONS: CompiledConditions = Object.freeze({
  allowConstraint: null,
  network: null,
  fixed: new Map(),
  denyScope: null,
  denyExceptions: null,
  denyNetworkException: null,
  denyUnprovable: false,
  listed: Object.freeze([]) as readonly string[],
  notes: Object.freeze([]) as readonly string[],
});

const ORG_RE = /^o-[a-z0-9]+$/i;

function hasWildcard(v: string): boolean {
  return v.includes('*') || v.includes('?');
}

/** Atoms a value of an identity key stands for; null = unbounded. */
export function valueAtoms(keyClass: KeyClass, value: string): Atom[] | null {
  switch (keyClass) {
    case 'account':
      return isAccountId(value) ? [atom('acct', value)] : null;
    case 'org':
      return ORG_RE.test(value) ? [atom('org', value.toLowerCase())] : null;
    case 'orgpath': {
      const org = value.split('/')[0] ?? '';
      return ORG_RE.test(org) ? [atom('org', org.toLowerCase())] : null;
    }
    case 'arn':
      return arnAtoms(value);
    case 'userid': {
      if (value === '' || value.startsWith('*') || value.startsWith('?')) return null;
      const head = value.split(':')[0] ?? '';
      if (isAccountId(head)) return [atom('acct', head)];
      if (hasWildcard(head)) return null;
      return [{ t: 'pin', id: `the principal with unique id ${head}` }];
    }
    default:
      return null;
  }
}

/** The account an ARN pattern names in its account field; null when a wildcard or a malformed ARN leaves it open. */
export function arnAtoms(value: string): Atom[] | null {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return null;
  const account = parts[4] ?? '';
  if (isAccountId(account)) return [atom('acct', account)];
  if (hasWildcard(account) || hasWildcard(parts[2] ?? '')) return null;
  if (account === '') {
    // e.g. an S3 bucket ARN: no account in it. A fixed resource name is pinned (S3 "meaning of public").
    const resource = parts.slice(5).join(':');
    const head = resource.split('/')[0] ?? '';
    if (head === '' || hasWildcard(head)) return null;
    return [{ t: 'pin', id: `the resource ${parts.slice(0, 5).join(':')}:${head}` }];
  }
  if (account === 'cloudfront' || account === 'aws') return [atom('pin', value)];
  return null;
}

/** The values of one key as strings; null (after a lint note) when one is not a string, number or boolean. */
function toValues(raw: unknown, base: string, opText: string, key: string, lint: Lint): string[] | null {
  if (typeof raw === 'string') return [raw];
  const location = `${base}.${opText}.${key}`;
  const list = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const v: unknown = list[i];
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
    else {
      lint.reject(Array.isArray(raw) ? `${location}[${i}]` : location, 'a condition value must be a string, number or boolean (this key narrows nothing)');
      return null;
    }
  }
  return out;
}

/** Do the values fit the operator family? (A note when not: the key then narrows nothing.) */
function checkValues(op: ParsedOperator, values: readonly string[], base: string, key: string, lint: Lint): boolean {
  let problem: string | null = null;
  switch (op.base.family) {
    case 'Bool':
    case 'Null':
      for (const v of values) {
        const l = v.toLowerCase();
        if (l !== 'true' && l !== 'false') problem = `${op.base.name} takes "true" or "false", not "${v}"`;
      }
      break;
    case 'Numeric':
      for (const v of values) if (v.trim() === '' || Number.isNaN(Number(v))) problem = `${op.base.name} takes numbers, not "${v}"`;
      break;
    case 'Date':
      for (const v of values) if (Number.isNaN(Date.parse(v)) && Number.isNaN(Number(v))) problem = `${op.base.name} takes ISO 8601 dates or epoch seconds, not "${v}"`;
      break;
    case 'Ip':
      for (const v of values) if (parseCidr(v) === null) problem = `${op.base.name} takes IP addresses or CIDR ranges, not "${v}"`;
      break;
    default:
      break;
  }
  if (problem === null) return true;
  lint.reject(`${base}.${op.text}.${key}`, `${problem} (this key narrows nothing)`);
  return false;
}

/** Prefix length of an IPv4/IPv6 address or CIDR; null when malformed. (No regular expressions: it runs for every IP condition.) */
export function parseCidr(v: string): { v6: boolean; prefix: number } | null {
  const slash = v.indexOf('/');
  const end = slash === -1 ? v.length : slash;
  const v6 = v.indexOf(':') !== -1 && v.indexOf(':') < end;
  const max = v6 ? 128 : 32;
  let prefix = max;
  if (slash !== -1) {
    const digits = v.length - slash - 1;
    if (digits < 1 || digits > 3) return null;
    prefix = 0;
    for (let i = slash + 1; i < v.length; i++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      prefix = prefix * 10 + c;
    }
    if (prefix > max) return null;
  }
  if (v6) {
    let doubles = 0;
    for (let i = 0; i < end; i++) {
      const c = v.charCodeAt(i);
      const hex = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
      if (!hex && c !== 58 && c !== 46) return null;
      if (c === 58 && i + 1 < end && v.charCodeAt(i + 1) === 58) doubles++;
    }
    return doubles > 1 ? null : { v6, prefix };
  }
  let octets = 0;
  let value = 0;
  let length = 0;
  for (let i = 0; i <= end; i++) {
    const c = i === end ? 46 : v.charCodeAt(i);
    if (c === 46) {
      if (length === 0 || value > 255) return null;
      octets++;
      value = 0;
      length = 0;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9 || ++length > 3) return null;
      value = value * 10 + d;
    }
  }
  return octets === 4 ? { v6, prefix } : null;
}

/** IPv4 ranges wider than /8 and IPv6 ranges wider than /32 are not a fixed network (0.0.0.0/0 is the internet). */
function broadIp(values: readonly string[]): string | null {
  for (const v of values) {
    const c = parseCidr(v);
    if (c && c.prefix < (c.v6 ? 32 : 8)) return v;
  }
  return null;
}

function describe(op: string, key: string, values: readonly string[]): string {
  return `${op} ${key}=${values.join('|')}`;
}

/** Read a Condition element and compile what it means for the audience. */
export function compileConditions(raw: unknown, location: string, lint: Lint): CompiledConditions {
  if (raw === undefined) return NO_CONDITIONS;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    lint.reject(location, 'Condition must be an object of operators (it narrows nothing)');
    return { ...NO_CONDITIONS, denyUnprovable: true, listed: [`unreadable Condition ${JSON.stringify(raw)}`], notes: ['an unreadable Condition narrows nothing'] };
  }
  let allowConstraint: Constraint = null;
  let denyScope: Constraint = null;
  let denyExceptions: Atom[] | null = null;
  let denyUnprovable = false;
  let network: string | null = null;
  let denyNetworkException: string | null = null;
  const fixed = new Map<string, string[]>();
  const listed: string[] = [];
  const notes: string[] = [];

  for (const opText in raw) {
    const op = parseOperator(opText);
    const block: unknown = (raw as Record<string, unknown>)[opText];
    if (block === null || typeof block !== 'object' || Array.isArray(block)) {
      lint.reject(`${location}.${opText}`, `${opText} must map condition keys to values (it narrows nothing)`);
      listed.push(`${opText} ${JSON.stringify(block)}`);
      denyUnprovable = true;
      continue;
    }
    if (!op) {
      lint.reject(`${location}.${opText}`, `unknown condition operator "${opText}" (it narrows nothing)`);
      for (const key in block) listed.push(`${opText} ${key}=${JSON.stringify((block as Record<string, unknown>)[key])}`);
      notes.push(`unknown operator ${opText} narrows nothing`);
      denyUnprovable = true;
      continue;
    }
    for (const key in block) {
      const values = key === '' ? null : toValues((block as Record<string, unknown>)[key], location, opText, key, lint);
      if (key === '') lint.reject(`${location}.${opText}.`, 'empty condition key');
      if (values === null || !checkValues(op, values, location, key, lint)) {
        listed.push(`${opText} ${key}=${JSON.stringify((block as Record<string, unknown>)[key])}`);
        notes.push(`${opText} ${key} could not be read: it narrows nothing`);
        denyUnprovable = true;
        continue;
      }
      listed.push(describe(opText, key, values));
      const lowerKey = key.toLowerCase();
      const keyClass = KEY_CLASSES.get(lowerKey) ?? 'other';
      const family = op.base.family;
      const positive = !op.base.negated && op.base.family !== 'Null';

      if (positive && !op.ifExists && op.set !== 'all') {
        const prev = fixed.get(lowerKey);
        if (prev) prev.push(...values);
        else fixed.set(lowerKey, [...values]);
      }

      // ---- what it means in an Allow ----
      if (keyClass === 'ip' || keyClass === 'vpc') {
        const familyOk = keyClass === 'ip' ? family === 'Ip' : family === 'String';
        if (familyOk && positive && !op.ifExists && op.set !== 'all') {
          const broad = keyClass === 'ip' ? broadIp(values) : values.find((v) => hasWildcard(v) || v === '') ?? null;
          if (broad === null && values.length > 0) network = network ?? `${key} ${values.join(', ')}`;
          else if (broad !== null) notes.push(`${key} ${broad} is not a fixed network`);
        } else if (familyOk && op.base.negated && op.set === null && values.length > 0) {
          const broad = keyClass === 'ip' ? broadIp(values) : values.find((v) => hasWildcard(v) || v === '') ?? null;
          if (broad === null) denyNetworkException = denyNetworkException ?? `${key} ${values.join(', ')}`;
          else denyUnprovable = true;
        } else {
          denyUnprovable = true;
        }
        if (positive) denyUnprovable = true;
        continue;
      }
      if (keyClass !== 'other' && keyClass !== 'resource') {
        const familyOk = family === 'String' || (family === 'Arn' && keyClass === 'arn');
        let atoms: Atom[] | null = [];
        if (familyOk) {
          for (const v of values) {
            const a = valueAtoms(keyClass, v);
            if (a === null) {
              atoms = null;
              break;
            }
            atoms.push(...a);
          }
        }
        if (familyOk && positive && !op.ifExists && op.set !== 'all') {
          if (atoms === null) notes.push(`${key} ${values.join(', ')} is a wildcard or not a well-formed ${keyClass === 'arn' ? 'ARN' : 'identifier'}: it does not narrow`);
          else allowConstraint = intersectConstraints(allowConstraint, atoms);
        } else if (!familyOk || op.set === 'all') {
          notes.push(`${opText} on ${key} does not narrow`);
        } else if (op.ifExists && positive) {
          notes.push(`${opText} passes when ${key} is absent (anonymous callers)`);
        } else if (op.base.negated) {
          notes.push(`negated ${opText} on ${key} never makes a grant safe`);
        }
        // ---- what it means in a Deny ----
        if (!familyOk || op.set !== null || atoms === null) denyUnprovable = true;
        else if (positive) denyScope = intersectConstraints(denyScope, atoms);
        else if (op.base.negated) denyExceptions = [...(denyExceptions ?? []), ...atoms];
        else denyUnprovable = true;
        continue;
      }
      // Other keys (kms:ViaService, lambda:FunctionUrlAuthType, aws:SecureTransport, unknown keys): listed, never narrowing.
      if (keyClass === 'resource') notes.push(`${key} names the owner of this resource, not the caller: it does not narrow`);
      else if (KNOWN_NEUTRAL_KEYS.has(lowerKey)) notes.push(`${key} limits how, not who: it does not narrow`);
      denyUnprovable = true;
    }
  }
  return { allowConstraint, network, fixed, denyScope, denyExceptions, denyNetworkException, denyUnprovable, listed, notes };
}
