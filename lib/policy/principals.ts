/**
 * Principal / NotPrincipal: validation and what each entry stands for.
 */
import { PolicyParseError } from '../errors';
import { atom } from './audience';
import type { Atom } from './audience';

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
}

const ACCOUNT_RE = /^\d{12}$/;
const UNIQUE_ID_RE = /^A(IDA|ROA|IPA|NPA|NVA|GPA|SIA|KIA)[A-Z0-9]{8,}$/;
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

/** OIDC providers shared by many tenants: trusting one without a fixed `sub` trusts everybody on it. */
const MULTI_TENANT_OIDC = ['token.actions.githubusercontent.com', 'gitlab.com', 'app.terraform.io', 'oidc.circleci.com', 'api.bitbucket.org', 'accounts.google.com', 'vstoken.actions.githubusercontent.com'];

/** Web-identity providers and the condition key that pins your application. */
const WEB_IDENTITY_AUD: Record<string, string> = {
  'cognito-identity.amazonaws.com': 'cognito-identity.amazonaws.com:aud',
  'accounts.google.com': 'accounts.google.com:aud',
  'graph.facebook.com': 'graph.facebook.com:app_id',
  'www.amazon.com': 'www.amazon.com:app_id',
};

function list(raw: unknown, location: string): string[] {
  if (typeof raw === 'string') {
    if (raw === '') throw new PolicyParseError('empty principal', { context: { location } });
    return [raw];
  }
  if (Array.isArray(raw) && raw.length > 0) {
    return raw.map((v: unknown, i) => {
      if (typeof v !== 'string' || v === '') throw new PolicyParseError('a principal must be a non-empty string', { context: { location: `${location}[${i}]` } });
      return v;
    });
  }
  throw new PolicyParseError('a principal must be a string or a non-empty array of strings', { context: { location } });
}

function awsEntry(value: string, location: string): PrincipalEntry {
  if (value === '*') return { type: 'AWS', value, atom: null, label: 'any AWS principal ("AWS": "*")' };
  if (ACCOUNT_RE.test(value)) return { type: 'AWS', value, atom: atom('acct', value), label: `account ${value}` };
  if (UNIQUE_ID_RE.test(value)) return { type: 'AWS', value, atom: { t: 'pin', id: `deleted IAM entity ${value}` }, label: `unique id ${value} (an IAM entity that was deleted: no one can use it)` };
  const parts = value.split(':');
  if (parts.length >= 6 && parts[0] === 'arn' && (parts[2] === 'iam' || parts[2] === 'sts')) {
    const account = parts[4] ?? '';
    const resource = parts.slice(5).join(':');
    if (ACCOUNT_RE.test(account)) {
      return { type: 'AWS', value, atom: atom('acct', account), label: resource === 'root' ? `account ${account}` : `${value}` };
    }
    if (account === 'cloudfront' && resource.startsWith('user/CloudFront Origin Access Identity')) {
      return { type: 'AWS', value, atom: atom('pin', 'a CloudFront origin access identity'), label: 'a CloudFront origin access identity' };
    }
  }
  throw new PolicyParseError(`invalid AWS principal "${value}" (expected "*", an account id, an IAM ARN or a unique id)`, { context: { location } });
}

function federatedEntry(value: string, fixed: ReadonlyMap<string, readonly string[]>, location: string): PrincipalEntry {
  const parts = value.split(':');
  if (parts[0] === 'arn') {
    const account = parts[4] ?? '';
    const resource = parts.slice(5).join(':');
    if (!ACCOUNT_RE.test(account) || parts[2] !== 'iam') throw new PolicyParseError(`invalid federated principal "${value}"`, { context: { location } });
    // Federated users are outside every zone of trust, as in Access Analyzer: the identity provider is the
    // account's, its users are not (a role trusted by a SAML or OIDC provider is an external-access finding).
    if (resource.startsWith('saml-provider/')) {
      const label = `users of SAML provider ${resource.slice(14)} (account ${account})`;
      return { type: 'Federated', value, atom: atom('ext', label), label };
    }
    if (resource.startsWith('oidc-provider/')) {
      const host = resource.slice(14);
      const label = `users of OIDC provider ${host} (account ${account})`;
      const multi = MULTI_TENANT_OIDC.find((h) => host === h || host.startsWith(`${h}/`));
      if (!multi) return { type: 'Federated', value, atom: atom('ext', label), label };
      const subs = fixed.get(`${host.toLowerCase()}:sub`);
      if (!subs || subs.length === 0 || subs.some(broadSubject)) {
        return { type: 'Federated', value, atom: null, label, missing: `${host}:sub` };
      }
      const pinned = `${label}, subject ${subs.join(' | ')}`;
      return { type: 'Federated', value, atom: atom('ext', pinned), label: pinned };
    }
    throw new PolicyParseError(`invalid federated principal "${value}"`, { context: { location } });
  }
  const audKey = WEB_IDENTITY_AUD[value.toLowerCase()];
  if (audKey) {
    const aud = fixed.get(audKey);
    if (!aud || aud.length === 0 || aud.some((v) => v.includes('*'))) return { type: 'Federated', value, atom: null, label: `web identities of ${value}`, missing: audKey };
    if (value === 'cognito-identity.amazonaws.com') return { type: 'Federated', value, atom: { t: 'ext', id: `identities of Cognito pool ${aud.join(' | ')}` }, label: `identities of Cognito pool ${aud.join(' | ')}` };
    return { type: 'Federated', value, atom: { t: 'ext', id: `users of ${value} app ${aud.join(' | ')}` }, label: `users of ${value} app ${aud.join(' | ')}` };
  }
  return { type: 'Federated', value, atom: { t: 'ext', id: `federated identities of ${value}` }, label: `federated identities of ${value}` };
}

function broadSubject(v: string): boolean {
  return v === '' || v.startsWith('*') || v.startsWith('?') || /^repo:[^/]*[*?]/.test(v) || /^project_path:[^/]*[*?]/.test(v);
}

/**
 * Validate a Principal / NotPrincipal element and list its entries.
 * `fixed` holds the statement's positive conditions (federation needs them).
 */
export function parsePrincipal(raw: unknown, fixed: ReadonlyMap<string, readonly string[]>, location: string): PrincipalEntry[] {
  if (raw === '*') return [{ type: '*', value: '*', atom: null, label: 'everyone ("Principal": "*")' }];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PolicyParseError('Principal must be "*" or an object with AWS, Service, Federated or CanonicalUser', { context: { location } });
  }
  const entries: PrincipalEntry[] = [];
  const keys = Object.keys(raw);
  if (keys.length === 0) throw new PolicyParseError('Principal is empty', { context: { location } });
  for (const type of keys) {
    const typeLocation = `${location}.${type}`;
    if (!PRINCIPAL_TYPES.has(type)) throw new PolicyParseError(`unknown principal type "${type}"`, { context: { location: typeLocation } });
    const values = list((raw as Record<string, unknown>)[type], typeLocation);
    values.forEach((value, i) => {
      const at = values.length > 1 || Array.isArray((raw as Record<string, unknown>)[type]) ? `${typeLocation}[${i}]` : typeLocation;
      switch (type) {
        case 'AWS':
          entries.push(awsEntry(value, at));
          break;
        case 'Service':
          if (!/^[A-Za-z0-9.*-]+$/.test(value)) throw new PolicyParseError(`invalid service principal "${value}"`, { context: { location: at } });
          entries.push({ type: 'Service', value, atom: atom('svc', value.toLowerCase()), label: `service ${value}` });
          break;
        case 'Federated':
          entries.push(federatedEntry(value, fixed, at));
          break;
        default:
          entries.push({ type: 'CanonicalUser', value, atom: atom('canon', value), label: `canonical user ${value}` });
      }
    });
  }
  return entries;
}
