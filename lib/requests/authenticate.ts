/**
 * A manual request acts only for a proven requester: the identity proof it
 * carries is checked with STS (lib/requests/identity.ts), the requester must
 * belong to the account Remediator runs in, and the finding then records the
 * proven ARN as `requestedBy`. Anything else is UnauthorizedRequesterError:
 * recorded, and nothing is read or changed.
 */
import { UnauthorizedRequesterError } from '../errors';
import type { Finding } from '../finding';
import { proveIdentity, stsEndpoints } from './identity';

export interface RequesterCheck {
  region: string;
  /** The account Remediator runs in; requesters from other accounts are refused. */
  accountId: string | null;
  /** The local emulator's endpoint, when the stack is local. */
  localEndpoint?: string;
  fetchImpl?: typeof fetch;
}

export async function authenticateManualRequest(finding: Finding, check: RequesterCheck): Promise<Finding> {
  const request = finding.request;
  if (finding.source !== 'manual' || !request) return finding;
  if (!request.nonce) throw new UnauthorizedRequesterError('manual request refused: it carries no nonce, so it cannot carry a proof of who sent it');
  const proven = await proveIdentity(
    request.identity,
    {
      resourceArn: finding.resource.arn,
      nonce: request.nonce,
      ...(request.controlId ? { controlId: request.controlId } : {}),
      ...(request.mode ? { mode: request.mode } : {}),
      ...(request.reason ? { reason: request.reason } : {}),
      ...(request.rollbackOf ? { rollbackOf: request.rollbackOf } : {}),
    },
    { allowedEndpoints: stsEndpoints(check.region, check.localEndpoint), ...(check.fetchImpl ? { fetchImpl: check.fetchImpl } : {}) },
  );
  if (check.accountId && proven.account !== check.accountId) {
    throw new UnauthorizedRequesterError(`manual request refused: ${proven.arn} is not an identity of account ${check.accountId}, where Remediator runs`);
  }
  const { identity: _proof, ...rest } = request;
  return { ...finding, request: { ...rest, requestedBy: proven.arn } };
}
