/**
 * Slack request verification, v0 signing secret scheme
 * (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `x-slack-signature` is `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`
 * keyed by the app's signing secret. The timestamp must be within five minutes
 * of now, in either direction, so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidSlackRequestError } from '../errors';

export const MAX_SKEW_SECONDS = 5 * 60;

const SIGNATURE_FORMAT = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP_FORMAT = /^\d{1,15}$/;

export function assertValidSlackRequest(args: {
  signingSecret: string;
  rawBody: string;
  headers: Record<string, string | undefined>;
  nowMs?: number;
}): void {
  const signature = header(args.headers, 'x-slack-signature');
  const timestampText = header(args.headers, 'x-slack-request-timestamp');
  if (signature === undefined || timestampText === undefined) {
    throw new InvalidSlackRequestError('missing x-slack-signature or x-slack-request-timestamp header');
  }
  if (!SIGNATURE_FORMAT.test(signature)) {
    throw new InvalidSlackRequestError('x-slack-signature is not of the form v0=<64 lowercase hex digits> (unknown signature version or malformed digest)');
  }
  if (!TIMESTAMP_FORMAT.test(timestampText)) {
    throw new InvalidSlackRequestError('x-slack-request-timestamp is not a number of seconds');
  }
  const skew = Number(timestampText) - Math.floor((args.nowMs ?? Date.now()) / 1000);
  if (skew < -MAX_SKEW_SECONDS) throw new InvalidSlackRequestError('x-slack-request-timestamp is stale (more than 5 minutes old)');
  if (skew > MAX_SKEW_SECONDS) throw new InvalidSlackRequestError('x-slack-request-timestamp is more than 5 minutes in the future');

  const expected = createHmac('sha256', args.signingSecret).update(`v0:${timestampText}:${args.rawBody}`).digest();
  const given = Buffer.from(signature.slice('v0='.length), 'hex');
  if (!timingSafeEqual(expected, given)) {
    throw new InvalidSlackRequestError('x-slack-signature mismatch: the body was not signed with this signing secret');
  }
}

/** HTTP header names are case-insensitive; a header sent twice is ambiguous and refused. */
function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const values = Object.entries(headers).filter(([key, value]) => key.toLowerCase() === name && value !== undefined);
  if (values.length > 1) throw new InvalidSlackRequestError(`${name} is given more than once`);
  return values[0]?.[1];
}
