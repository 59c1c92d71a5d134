/**
 * Slack request verification (v0 signing secret), with Slack's own SDK
 * (`verifySlackRequest` from @slack/bolt) plus the other half of the window:
 * Bolt rejects timestamps older than five minutes; a timestamp more than
 * five minutes in the future is rejected here too.
 */
import { verifySlackRequest } from '@slack/bolt/dist/receivers/verify-request.js';
import { InvalidSlackRequestError } from '../errors';

export const MAX_SKEW_SECONDS = 5 * 60;

export function assertValidSlackRequest(args: {
  signingSecret: string;
  rawBody: string;
  headers: Record<string, string | undefined>;
  nowMs?: number;
}): void {
  const signature = args.headers['x-slack-signature'];
  const timestampText = args.headers['x-slack-request-timestamp'];
  if (!signature || !timestampText) {
    throw new InvalidSlackRequestError('missing x-slack-signature or x-slack-request-timestamp header');
  }
  const timestamp = Number(timestampText);
  if (!/^\d+$/.test(timestampText) || !Number.isSafeInteger(timestamp)) {
    throw new InvalidSlackRequestError('x-slack-request-timestamp is not a number of seconds');
  }
  const nowMs = args.nowMs ?? Date.now();
  if (timestamp - Math.floor(nowMs / 1000) > MAX_SKEW_SECONDS) {
    throw new InvalidSlackRequestError('x-slack-request-timestamp is more than 5 minutes in the future');
  }
  try {
    verifySlackRequest({
      signingSecret: args.signingSecret,
      body: args.rawBody,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: nowMs,
    });
  } catch (cause) {
    throw new InvalidSlackRequestError((cause as Error).message, { cause });
  }
}
