import { describe, expect, it } from 'vitest';
import { assertValidSlackRequest } from '../../../lib/escalation/slack-signature';
import { InvalidSlackRequestError } from '../../../lib/errors';
import { interactionBody, signSlackBody } from '../../../local/slack-click';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = 1_780_000_000;
const body = interactionBody({ userId: 'U1', actionId: 'remediator_approve', value: `apr_${'a'.repeat(32)}` });
const headers = (timestamp: number, signature = signSlackBody(secret, timestamp, body)) => ({
  'x-slack-request-timestamp': String(timestamp),
  'x-slack-signature': signature,
});

describe('Slack request verification', () => {
  it('accepts a request signed with the signing secret within five minutes', () => {
    expect(() => assertValidSlackRequest({ signingSecret: secret, rawBody: body, headers: headers(now - 299), nowMs: now * 1000 })).not.toThrow();
  });

  it('matches the example of Slack’s documentation', () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack — the documented example request.
    const docBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(() =>
      assertValidSlackRequest({
        signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
        rawBody: docBody,
        headers: { 'x-slack-request-timestamp': '1531420618', 'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' },
        nowMs: 1531420618 * 1000,
      }),
    ).not.toThrow();
  });

  it.each([
    ['a wrong secret', () => headers(now, signSlackBody('another-secret', now, body)), /signature mismatch/],
    ['a stale timestamp', () => headers(now - 301), /stale/],
    ['a timestamp in the future', () => headers(now + 301), /future/],
    ['an unknown signature version', () => headers(now, signSlackBody(secret, now, body).replace('v0=', 'v1=')), /unknown signature version/],
    ['no signature', () => ({ 'x-slack-request-timestamp': String(now) }), /missing/],
    ['a timestamp that is not a number', () => ({ 'x-slack-request-timestamp': 'soon', 'x-slack-signature': 'v0=00' }), /not a number/],
  ])('rejects %s', (_what, makeHeaders, message) => {
    const call = () => assertValidSlackRequest({ signingSecret: secret, rawBody: body, headers: makeHeaders(), nowMs: now * 1000 });
    expect(call).toThrow(InvalidSlackRequestError);
    expect(call).toThrow(message);
  });

  it('rejects a body changed after signing', () => {
    const call = () => assertValidSlackRequest({ signingSecret: secret, rawBody: body.replace('U1', 'U2'), headers: headers(now), nowMs: now * 1000 });
    expect(call).toThrow(/signature mismatch/);
  });
});
