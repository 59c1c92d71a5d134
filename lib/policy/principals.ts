/**
 * Principal / NotPrincipal: what each entry stands for.
 *
 * Never refuses: an entry that cannot be read (a bare ARN string, an unknown
 * type, a wildcard or placeholder in an account field, `CanonicalUser: "*"`)
 * is read as anyone (`atom: null`, `uncertain: true`) after a lint note, so an
 * Allow naming it is public and a Deny naming it subtracts nothing.
 */
import { atom, isAccountId } from './audience';
import type { Atom } from './audience';
import type { Lint } from './grammar';

export type PrincipalType = '*' | 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';

export interface PrincipalEntry {
  readonly type: PrincipalType;
  readonly value: string;
  /** null = anyone (public). */
  readonly atom: Atom | null;
  /** What the entry is, in words. */
  readonly label: string;
  /** Set when the entry is unbounded only because a condition it needs is missing (federation without `sub`/`aud`). */
  readonly missing?: string;
  /** The entry could not be read as written; it was read as anyone. */
  readonly uncertain?: boolean;
}

const UNIQUE_ID_RE = /^A(IDA|ROA|IPA|NPA|NVA|GPA|SIA|KIA)[A-Z0-9]{8,}$/;
const SERVICE_RE = /^[A-Za-z0-9.*-]+$/;
const TYPES: readonly PrincipalType[] = ['AWS', 'Service', 'Federated', 'CanonicalUser'];

/** OIDC providers shared by many tenants: trusting one without a fixed `sub` trusts everybody on it. */
const MULTI_TENANT_OIDC = ['token.actions.githubusercontent.com', 'gitlab.com', 'app.terraform.io', 'oidc.circleci.com', 'api.bitbucket.org', 'accounts.google.com', 'vstoken.actions.githubusercontent.com'];

/** Public web-identity providers: anyone can sign up there. */
const WEB_IDENTITY = new Set(['cognito-identity.amazonaws.com', 'accounts.google.com', 'graph.facebook.com', 'www.amazon.com']);

const ANYONE_ENTRY: PrincipalEntry = Object.freeze({ type: '*', value: '*', atom: null, label: 'everyone ("Principal": "*")' });

function anyone(type: PrincipalType, value: string, label: string): PrincipalEntry {
  return { type, value, atom: null, label, uncertain: true };
}

/**
 * Well-formed AWS principal entries by value: the one cache the benchmark shows pays
 * (the same role and account ARNs recur across policies). Entries are never mutated;
 * only values that raised no lint note are kept; the map starts over when full.
 */
const AWS_ENTRIES = new Map<string, PrincipalEntry>();
const AWS_ENTRIES_LIMIT = 10_000;

function awsEntry(value: string, location: string, lint: Lint): PrincipalEntry {
  let entry = AWS_ENTRIES.get(value);
  if (entry !== undefined) return entry;
  const before = lint.notes.length;
  entry = readAwsEntry(value, location, lint);
  if (lint.notes.length === before) {
    if (AWS_ENTRIES.size >= AWS_ENTRIES_LIMIT) AWS_ENTRIES.clear();
    AWS_ENTRIES.set(value, entry);
  }
  return entry;
}

function readAwsEntry(value: string, location: string, lint: Lint): PrincipalEntry {
  if (value === '*') return { type: 'AWS', value, atom: null, label: 'any AWS principal ("AWS": "*")' };
  if (isAccountId(value)) return { type: 'AWS', value, atom: atom('acct', value), label: `account ${value}` };
  if (UNIQUE_ID_RE.test(value)) return { type: 'AWS', value, atom: atom('pin', `deleted IAM entity ${value}`), label: `unique id ${value} (an IAM entity that was deleted: no one can use it)` };
  const parts = value.split(':');
  if (parts.length >= 6 && parts[0] === 'arn') {
    const account = parts[4]!;
    const resource = parts.slice(5).join(':');
    if ((parts[2] === 'iam' || parts[2] === 'sts') && isAccountId(account)) {
      if (resource.includes('*') || resource.includes('?')) lint.reject(location, `a principal ARN cannot hold a wildcard: "${value}" (read as account ${account})`);
      return { type: 'AWS', value, atom: atom('acct', account), label: resource === 'root' ? `account ${account}` : value };
    }
    if (account === 'cloudfront' && resource.startsWith('user/CloudFront Origin Access Identity')) {
      return { type: 'AWS', value, atom: atom('pin', 'a CloudFront origin access identity'), label: 'a CloudFront origin access identity' };
    }
    if (parts[2] === 'iam' || parts[2] === 'sts') {
      lint.reject(location, `the account field "${account}" of principal "${value}" is not an account id (read as anyone)`);
      return anyone('AWS', value, `${value} (account field "${account}": any account)`);
    }
  }
  lint.reject(location, `invalid AWS principal "${value}" (expected "*", an account id, an IAM ARN or a unique id; read as anyone)`);
  return anyone('AWS', value, `unreadable principal "${value}" (read as anyone)`);
}

/** Well-formed service principal entries by value (same cache policy as AWS_ENTRIES). */
const SERVICE_ENTRIES = new Map<string, PrincipalEntry>();

function serviceEntry(value: string, location: string, lint: Lint): PrincipalEntry {
  let entry = SERVICE_ENTRIES.get(value);
  if (entry !== undefined) return entry;
  if (!SERVICE_RE.test(value)) {
    lint.reject(location, `invalid service principal "${value}" (read as anyone)`);
    return anyone('Service', value, `unreadable service principal "${value}" (read as anyone)`);
  }
  entry = { type: 'Service', value, atom: atom('svc', value.toLowerCase()), label: `service ${value}` };
  if (SERVICE_ENTRIES.size >= AWS_ENTRIES_LIMIT) SERVICE_ENTRIES.clear();
  SERVICE_ENTRIES.set(value, entry);
  return entry;
}

function broadSubject(v: string): boolean {
  return v === '' || v.startsWith('*') || v.startsWith('?') || /^repo:[^/]*[*?]/.test(v) || /^project_path:[^/]*[*?]/.test(v);
}

function federatedEntry(value: string, fixed: ReadonlyMap<string, readonly string[]>, location: string, lint: Lint): PrincipalEntry {
  const parts = value.split(':');
  if (parts[0] === 'arn' && parts.length >= 6) {
    const account = parts[4]!;
    const resource = parts.slice(5).join(':');
    const saml = resource.startsWith('saml-provider/');
    const oidc = resource.startsWith('oidc-provider/');
    if (parts[2] !== 'iam' || !(saml || oidc) || !isAccountId(account)) {
      lint.reject(location, `invalid federated principal "${value}" (read as anyone)`);
      return anyone('Federated', value, `federated principal "${value}" (unreadable: anyone)`);
    }
    // An IAM identity provider belongs to an account: its users are that account's (trusted inside the zone).
    const host = resource.slice(14);
    const label = `${saml ? 'SAML' : 'OIDC'} provider ${host} of account ${account}`;
    if (saml) return { type: 'Federated', value, atom: atom('acct', account), label };
    const multi = MULTI_TENANT_OIDC.find((h) => host === h || host.startsWith(`${h}/`));
    if (multi === undefined) return { type: 'Federated', value, atom: atom('acct', account), label };
    const subs = fixed.get(`${host.toLowerCase()}:sub`);
    if (subs === undefined || subs.length === 0 || subs.some(broadSubject)) return { type: 'Federated', value, atom: null, label, missing: `${host}:sub` };
    return { type: 'Federated', value, atom: atom('acct', account), label: `${label}, subject ${subs.join(' | ')}` };
  }
  const lower = value.toLowerCase();
  if (WEB_IDENTITY.has(lower)) {
    if (lower === 'cognito-identity.amazonaws.com') {
      const aud = fixed.get('cognito-identity.amazonaws.com:aud');
      if (aud === undefined || aud.length === 0 || aud.some((v) => v.includes('*') || v.includes('?'))) {
        return { type: 'Federated', value, atom: null, label: `web identities of ${value}`, missing: 'cognito-identity.amazonaws.com:aud' };
      }
      const pool = `identities of Cognito pool ${aud.join(' | ')}`;
      return { type: 'Federated', value, atom: atom('ext', pool), label: pool };
    }
    // Anyone can hold a Google, Facebook or Amazon account: users of any app there are the public.
    return { type: 'Federated', value, atom: null, label: `anyone with a ${value} account` };
  }
  lint.reject(location, `unknown federated principal "${value}" (expected an IAM identity provider ARN or a web identity provider; read as anyone)`);
  return anyone('Federated', value, `federated identities of ${value} (unknown provider: anyone)`);
}

function values(raw: unknown, location: string, lint: Lint): string[] | null {
  if (typeof raw === 'string' && raw !== '') return [raw];
  if (Array.isArray(raw) && raw.length > 0) {
    let ok = true;
    for (let i = 0; i < raw.length; i++) if (typeof raw[i] !== 'string' || raw[i] === '') ok = false;
    if (ok) return raw as string[];
  }
  lint.reject(location, 'a principal must be a non-empty string or a non-empty array of them (read as anyone)');
  return null;
}

/**
 * List the entries of a Principal / NotPrincipal element.
 * `fixed` holds the statement's positive conditions (federation needs them).
 */
export function parsePrincipal(raw: unknown, fixed: ReadonlyMap<string, readonly string[]>, location: string, lint: Lint): PrincipalEntry[] {
  if (raw === '*') return [ANYONE_ENTRY];
  if (raw === undefined) return [anyone('*', '*', 'everyone (no Principal element)')];
  if (typeof raw === 'string') {
    lint.reject(location, `only "*" may be a bare-string principal; "${raw}" was read as {"AWS": "${raw}"}`);
    return [awsEntry(raw, location, lint)];
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    lint.reject(location, 'Principal must be "*" or an object with AWS, Service, Federated or CanonicalUser (read as anyone)');
    return [anyone('*', '*', 'an unreadable Principal (read as anyone)')];
  }
  const entries: PrincipalEntry[] = [];
  const element = raw as Record<string, unknown>;
  for (const written in element) {
    const at = `${location}.${written}`;
    let type = TYPES.find((t) => t === written);
    if (type === undefined) {
      type = TYPES.find((t) => t.toLowerCase() === written.toLowerCase());
      if (type === undefined) {
        lint.reject(at, `unknown principal type "${written}" (read as anyone)`);
        entries.push(anyone('*', written, `principal of unknown type "${written}" (read as anyone)`));
        continue;
      }
      lint.reject(at, `principal types are case-sensitive: "${written}" was read as "${type}"`);
    }
    const list = values(element[written], at, lint);
    if (list === null) {
      entries.push(anyone(type, '', `an unreadable ${type} principal (read as anyone)`));
      continue;
    }
    const isList = Array.isArray(element[written]);
    for (let i = 0; i < list.length; i++) {
      const value = list[i]!;
      const vat = isList ? `${at}[${i}]` : at;
      switch (type) {
        case 'AWS':
          entries.push(awsEntry(value, vat, lint));
          break;
        case 'Service':
          entries.push(serviceEntry(value, vat, lint));
          break;
        case 'Federated':
          entries.push(federatedEntry(value, fixed, vat, lint));
          break;
        default:
          if (value === '*') {
            lint.warn(vat, '"CanonicalUser": "*" is everyone');
            entries.push({ type, value, atom: null, label: 'any canonical user ("CanonicalUser": "*")' });
          } else entries.push({ type, value, atom: atom('canon', value), label: `canonical user ${value}` });
      }
    }
  }
  if (entries.length === 0) {
    lint.reject(location, 'Principal is empty (read as anyone)');
    entries.push(anyone('*', '', 'an empty Principal (read as anyone)'));
  }
  return entries;
}
