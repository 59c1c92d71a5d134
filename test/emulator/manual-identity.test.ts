/**
 * Who asked for a manual runbook is proven by STS, not typed: the CLI signs an
 * sts:GetCallerIdentity request bound to the request's digest; Classify sends it
 * to STS (the emulator's here) and records the ARN STS answers with. Every way
 * of getting around it is refused with UnauthorizedRequesterError.
 *
 * moto does not check SigV4 signatures: on AWS, STS also refuses a forged or
 * expired signature; here the checks Remediator itself makes are what is tested.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lib/finding';
import { authenticateManualRequest } from '../../lib/requests/authenticate';
import { REQUEST_DIGEST_HEADER, requestDigest, signIdentityProof, type IdentityProof } from '../../lib/requests/identity';
import { normalizeEvent } from '../../lib/sources';
import { manualRequestEvent } from '../../cli/manual-request';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const check = { region: stack.region, accountId: stack.accountId, localEndpoint: stack.endpoint };

async function manualFinding(overrides: { identity?: IdentityProof | null; signFor?: string; reason?: string } = {}): Promise<Finding> {
  const nonce = randomBytes(16).toString('hex');
  const resourceArn = 'arn:aws:s3:::identity-bucket';
  const intent = { resourceArn, nonce, controlId: 's3-deny-all-bucket-policy', ...(overrides.reason ? { reason: overrides.reason } : {}) };
  const identity =
    overrides.identity === null
      ? undefined
      : (overrides.identity ?? (await signIdentityProof({ credentials, region: stack.region, endpoint: stack.endpoint, digest: overrides.signFor ?? requestDigest(intent) })));
  const event = manualRequestEvent({ ...intent, ...(identity ? { identity } : {}), account: stack.accountId, region: stack.region });
  const result = normalizeEvent(event, {});
  if (result.kind !== 'findings') throw new Error('expected a finding');
  return result.findings[0]!;
}

describe('the requester of a manual request', () => {
  it('is the identity STS proves, whatever the event says', async () => {
    const finding = await manualFinding();
    const proven = await authenticateManualRequest(finding, check);
    expect(proven.request?.requestedBy).toMatch(new RegExp(`^arn:aws:(sts|iam)::${stack.accountId}:`));
    expect(proven.request?.identity).toBeUndefined();
  });

  it('is refused when the request carries no proof', async () => {
    await expect(authenticateManualRequest(await manualFinding({ identity: null }), check)).rejects.toMatchObject({ name: 'UnauthorizedRequesterError', message: /no signed identity/ });
  });

  it('is refused when the proof was signed for another request', async () => {
    const finding = await manualFinding({ signFor: requestDigest({ resourceArn: 'arn:aws:s3:::other', nonce: 'a'.repeat(32) }) });
    await expect(authenticateManualRequest(finding, check)).rejects.toMatchObject({ name: 'UnauthorizedRequesterError', message: /signed for another request/ });
  });

  it('is refused when the proof points at a host other than STS (no request is sent there)', async () => {
    const signed = await signIdentityProof({ credentials, region: stack.region, endpoint: 'http://169.254.169.254', digest: 'x' });
    const finding = await manualFinding({ identity: signed });
    let called = false;
    const fetchImpl = (async () => {
      called = true;
      return new Response('');
    }) as typeof fetch;
    await expect(authenticateManualRequest(finding, { ...check, fetchImpl })).rejects.toMatchObject({ name: 'UnauthorizedRequesterError', message: /not this deployment's STS endpoint/ });
    expect(called).toBe(false);
  });

  it('is refused when the digest header was not part of the signature', async () => {
    const nonce = randomBytes(16).toString('hex');
    const intent = { resourceArn: 'arn:aws:s3:::identity-bucket', nonce, controlId: 's3-deny-all-bucket-policy' };
    const signed = await signIdentityProof({ credentials, region: stack.region, endpoint: stack.endpoint, digest: requestDigest(intent) });
    const authorization = signed.headers.authorization!.replace(`;${REQUEST_DIGEST_HEADER}`, '');
    const event = manualRequestEvent({ ...intent, identity: { ...signed, headers: { ...signed.headers, authorization } }, account: stack.accountId, region: stack.region });
    const result = normalizeEvent(event, {});
    if (result.kind !== 'findings') throw new Error('expected a finding');
    await expect(authenticateManualRequest(result.findings[0]!, check)).rejects.toMatchObject({ name: 'UnauthorizedRequesterError', message: /does not sign the request digest/ });
  });

  it('is refused when the proven identity belongs to another account', async () => {
    await expect(authenticateManualRequest(await manualFinding(), { ...check, accountId: '999999999999' })).rejects.toMatchObject({ name: 'UnauthorizedRequesterError', message: /not an identity of account 999999999999/ });
  });
});
