/**
 * Signed approval links, for approvers without Slack (the request goes out on an SNS topic):
 * `<base>/approvals/<approval id>/<action>?expires=<epoch seconds>&sig=<hex>`, where sig is the
 * HMAC-SHA256, keyed by the link signing key (Secrets Manager), of the approval id, the action and
 * the expiry. A link decides nothing by itself: the endpoint checks the signature (timing-safe),
 * then the expiry, then takes the decision exactly once in the approval store, as a Slack click does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RemediatorError } from '../errors';
import type { SlackAction } from './messages';

/** Every action a link can carry (the same answers as the Slack buttons). */
export const LINK_ACTIONS: readonly SlackAction[] = ['approve', 'reject', 'acknowledge', 'rollback'];

const APPROVAL_ID = /^apr_[0-9a-f]{32}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const EXPIRES = /^\d{1,12}$/;
/** A key shorter than this is a configuration mistake, not a secret. */
export const MIN_KEY_LENGTH = 32;

/** The link is malformed or its signature does not match: nothing about the approval is revealed (401). */
export class InvalidApprovalLinkError extends RemediatorError {
  override readonly name = 'InvalidApprovalLinkError';
}

/** The link was signed by us but its time is over (403). */
export class ExpiredApprovalLinkError extends RemediatorError {
  override readonly name = 'ExpiredApprovalLinkError';
}

export interface LinkClaim {
  approvalId: string;
  action: SlackAction;
  /** Epoch seconds after which the link is refused. */
  expires: number;
}

/** What is signed: a versioned, newline-separated tuple (none of the parts can contain a newline). */
function signedText(claim: LinkClaim): string {
  return `remediator-approval-link:v1\n${claim.approvalId}\n${claim.action}\n${claim.expires}`;
}

function assertKey(signingKey: string): void {
  if (signingKey.length < MIN_KEY_LENGTH) throw new RemediatorError(`the approval link signing key must be at least ${MIN_KEY_LENGTH} characters`);
}

export function signLink(claim: LinkClaim, signingKey: string): string {
  assertKey(signingKey);
  return createHmac('sha256', signingKey).update(signedText(claim)).digest('hex');
}

/** The approve/reject (or acknowledge/roll back) link for one approval, valid until `expires`. */
export function approvalLink(baseUrl: string, claim: LinkClaim, signingKey: string): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/approvals/${claim.approvalId}/${claim.action}`);
  url.searchParams.set('expires', String(claim.expires));
  url.searchParams.set('sig', signLink(claim, signingKey));
  return url.toString();
}

/** The path and query of a request, as the endpoint receives them. */
export interface LinkRequest {
  path: string;
  query: Record<string, string | undefined>;
}

const PATH = /^\/approvals\/([^/]+)\/([^/]+)\/?$/;

export function isLinkPath(path: string): boolean {
  return PATH.test(path);
}

/**
 * The claim of a correctly signed, unexpired link; otherwise InvalidApprovalLinkError (malformed, forged)
 * or ExpiredApprovalLinkError. The signature is checked before the expiry, so a forged link learns nothing.
 */
export function verifyLink(request: LinkRequest, signingKey: string, nowMs: number = Date.now()): LinkClaim {
  assertKey(signingKey);
  const [, approvalId = '', actionText = ''] = PATH.exec(request.path) ?? [];
  if (!APPROVAL_ID.test(approvalId)) throw new InvalidApprovalLinkError('the link names no approval (expected /approvals/apr_<32 hex>/<action>)');
  const action = LINK_ACTIONS.find((candidate) => candidate === actionText);
  if (!action) throw new InvalidApprovalLinkError(`the link's action must be one of ${LINK_ACTIONS.join(', ')}`);
  const expiresText = request.query.expires ?? '';
  const sig = request.query.sig ?? '';
  if (!EXPIRES.test(expiresText)) throw new InvalidApprovalLinkError('the link has no expires=<epoch seconds>');
  if (!SIGNATURE.test(sig)) throw new InvalidApprovalLinkError('the link has no sig=<64 lowercase hex digits>');
  const claim: LinkClaim = { approvalId, action, expires: Number(expiresText) };
  const expected = Buffer.from(signLink(claim, signingKey), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) {
    throw new InvalidApprovalLinkError('the link signature does not match: it was not issued by Remediator, or was altered');
  }
  if (Math.floor(nowMs / 1000) >= claim.expires) {
    throw new ExpiredApprovalLinkError(`the link expired at ${new Date(claim.expires * 1000).toISOString()}`);
  }
  return claim;
}
