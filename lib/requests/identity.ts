/**
 * Who asked for a manual runbook, proven rather than typed.
 *
 * A manual request starts an execution through `states:StartExecution` (IAM
 * decides who may), and carries an `sts:GetCallerIdentity` request signed with
 * the requester's own credentials (SigV4), with one extra signed header,
 * `x-remediator-request`, whose value is a digest of the request itself
 * (control, resource, mode, reason, rollback target, nonce). Classify sends that
 * signed request to STS: STS checks the signature and its 15-minute window and
 * answers with the caller's real ARN. So the requester recorded in the audit
 * trail is the identity that signed *this* request — never a string the caller
 * typed — and a proof cannot be moved to another request (the digest is signed).
 * The same idea as HashiCorp Vault's AWS IAM auth method.
 *
 * Only the STS endpoint of this deployment's region (or the global one), or the
 * configured local endpoint, is ever called: the proof cannot point Remediator
 * at another host.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { UnauthorizedRequesterError } from '../errors';
import { canonical } from '../controls/state';

export const REQUEST_DIGEST_HEADER = 'x-remediator-request';
const BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

/** What a manual request asks for: exactly what the digest covers. */
export interface ManualRequestIntent {
  resourceArn: string;
  controlId?: string;
  mode?: string;
  reason?: string;
  /** A rollback request names the change it undoes. */
  rollbackOf?: string;
  /** Makes every request unique (and so every execution name). */
  nonce: string;
}

/** A signed sts:GetCallerIdentity request, as carried in the manual request. */
export interface IdentityProof {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface ProvenIdentity {
  arn: string;
  account: string;
  userId: string;
}

export function requestDigest(intent: ManualRequestIntent): string {
  const fields = { resourceArn: intent.resourceArn, controlId: intent.controlId ?? null, mode: intent.mode ?? null, reason: intent.reason ?? null, rollbackOf: intent.rollbackOf ?? null, nonce: intent.nonce };
  return createHash('sha256').update(canonical(fields)).digest('hex');
}

/** The STS endpoints a proof may name: this region's, the global one, or the local emulator. */
export function stsEndpoints(region: string, localEndpoint?: string): string[] {
  return localEndpoint ? [withSlash(localEndpoint)] : [`https://sts.${region}.amazonaws.com/`, 'https://sts.amazonaws.com/'];
}

/** The CLI side: sign GetCallerIdentity with the requester's credentials, binding the request digest. */
export async function signIdentityProof(args: { credentials: AwsCredentialIdentity; region: string; endpoint: string; digest: string }): Promise<IdentityProof> {
  const url = new URL(withSlash(args.endpoint));
  const signer = new SignatureV4({ credentials: args.credentials, region: args.region, service: 'sts', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', [REQUEST_DIGEST_HEADER]: args.digest },
    body: BODY,
  });
  return { url: url.toString(), headers: signed.headers as Record<string, string>, body: BODY };
}

/** Classify's side: check the proof's shape, then let STS say who signed it. */
export async function proveIdentity(
  proof: IdentityProof | undefined,
  intent: ManualRequestIntent,
  options: { allowedEndpoints: string[]; fetchImpl?: typeof fetch },
): Promise<ProvenIdentity> {
  if (!proof) throw refused('the request carries no signed identity: start manual runbooks with `remediate run`, which signs one with your AWS credentials');
  if (!options.allowedEndpoints.includes(proof.url)) throw refused(`the identity proof names ${proof.url}, which is not this deployment's STS endpoint`);
  if (proof.body !== BODY) throw refused('the identity proof is not a GetCallerIdentity request');
  const headers = lowerKeys(proof.headers);
  const digest = requestDigest(intent);
  if (headers[REQUEST_DIGEST_HEADER] !== digest) throw refused('the identity proof was signed for another request');
  const signedHeaders = /SignedHeaders=([^,\s]+)/.exec(headers.authorization ?? '')?.[1]?.split(';') ?? [];
  if (!signedHeaders.includes(REQUEST_DIGEST_HEADER) || !signedHeaders.includes('host')) throw refused('the identity proof does not sign the request digest');
  const { host: _host, 'content-length': _length, ...sendHeaders } = headers;
  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(proof.url, { method: 'POST', headers: sendHeaders, body: proof.body, redirect: 'error', signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw refused(`STS could not be asked who signed the request: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw refused(`STS refused the identity proof (${response.status}: ${/<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? 'no code'})`);
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  const account = /<Account>([^<]+)<\/Account>/.exec(text)?.[1];
  const userId = /<UserId>([^<]+)<\/UserId>/.exec(text)?.[1];
  if (!arn || !account || !userId) throw refused('STS answered without an identity');
  return { arn, account, userId };
}

/** SHA-256 (HMAC-SHA-256 with a secret) for SignatureV4, from node:crypto. */
class Sha256 {
  private hash: Hash | Hmac;
  private readonly secret?: string | Uint8Array;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret = secret === undefined || typeof secret === 'string' ? secret : ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : new Uint8Array(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function refused(message: string): UnauthorizedRequesterError {
  return new UnauthorizedRequesterError(`manual request refused: ${message}`);
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([key, value]) => [key.toLowerCase(), String(value)]));
}

function withSlash(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.origin}/`;
}
