import { describe, expect, it } from 'vitest';
import { assertValidSlackRequest } from '../../../lib/escalation/slack-signature';
import { InvalidSlackRequestError } from '../../../lib/errors';
import { interactionBody, signSlackBody } from '../../../local/slack-click';

// Slack's published example ("Verifying requests from Slack", api.slack.com/authentication/verifying-requests-from-slack).
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const docNowMs = Number(DOC_TIMESTAMP) * 1000;

const secret = 'a-signing-secret-for-tests';
const now = 1_780_000_000;
const body = interactionBody({ userId: 'U1', actionId: 'remediator_approve', value: `apr_${'a'.repeat(32)}` });
const headers = (timestamp: number, signature = signSlackBody(secret, timestamp, body)): Record<string, string> => ({
  'x-slack-request-timestamp': String(timestamp),
  'x-slack-signature': signature,
});
const verify = (h: Record<string, string | undefined>, rawBody = body) => () => assertValidSlackRequest({ signingSecret: secret, rawBody, headers: h, nowMs: now * 1000 });

describe('Slack request verification', () => {
  describe('Slack’s published example', () => {
    const docHeaders = { 'X-Slack-Request-Timestamp': DOC_TIMESTAMP, 'X-Slack-Signature': DOC_SIGNATURE };

    it('accepts the documented request, with the header names as Slack sends them', () => {
      expect(() => assertValidSlackRequest({ signingSecret: DOC_SECRET, rawBody: DOC_BODY, headers: docHeaders, nowMs: docNowMs })).not.toThrow();
    });

    it('rejects the documented request with one character of the body changed', () => {
      const call = () => assertValidSlackRequest({ signingSecret: DOC_SECRET, rawBody: DOC_BODY.replace('roadrunner', 'roadrunnes'), headers: docHeaders, nowMs: docNowMs });
      expect(call).toThrow(InvalidSlackRequestError);
      expect(call).toThrow(/signature mismatch/);
    });

    it('rejects the documented request under another signing secret', () => {
      const call = () => assertValidSlackRequest({ signingSecret: `${DOC_SECRET}0`, rawBody: DOC_BODY, headers: docHeaders, nowMs: docNowMs });
      expect(call).toThrow(/signature mismatch/);
    });

    it('rejects the documented request replayed six minutes later', () => {
      const call = () => assertValidSlackRequest({ signingSecret: DOC_SECRET, rawBody: DOC_BODY, headers: docHeaders, nowMs: docNowMs + 6 * 60_000 });
      expect(call).toThrow(/stale/);
    });
  });

  it('accepts a request signed with the signing secret up to five minutes either side of now', () => {
    expect(verify(headers(now - 300))).not.toThrow();
    expect(verify(headers(now + 300))).not.toThrow();
    expect(verify(headers(now))).not.toThrow();
  });

  it.each([
    ['lower case', { 'x-slack-request-timestamp': 'x', 'x-slack-signature': 'x' }],
    ['title case', { 'X-Slack-Request-Timestamp': 'x', 'X-Slack-Signature': 'x' }],
    ['upper case', { 'X-SLACK-REQUEST-TIMESTAMP': 'x', 'X-SLACK-SIGNATURE': 'x' }],
    ['mixed case', { 'x-SlAcK-request-TIMESTAMP': 'x', 'X-slack-SIGNATURE': 'x' }],
  ])('reads the headers whatever their case (%s)', (_case, names) => {
    const [timestampName, signatureName] = Object.keys(names) as [string, string];
    expect(verify({ [timestampName]: String(now), [signatureName]: signSlackBody(secret, now, body) })).not.toThrow();
    expect(verify({ [timestampName]: String(now), [signatureName]: signSlackBody('another-secret', now, body) })).toThrow(/signature mismatch/);
  });

  it.each([
    ['a wrong secret', () => headers(now, signSlackBody('another-secret', now, body)), /signature mismatch/],
    ['a signature made for another timestamp', () => ({ ...headers(now), 'x-slack-request-timestamp': String(now - 1) }), /signature mismatch/],
    ['a timestamp 301 seconds old', () => headers(now - 301), /stale/],
    ['a timestamp an hour old', () => headers(now - 3600), /stale/],
    ['a timestamp 301 seconds in the future', () => headers(now + 301), /future/],
    ['an unknown signature version', () => headers(now, signSlackBody(secret, now, body).replace('v0=', 'v1=')), /v0=<64 lowercase hex/],
    ['upper-case hex', () => headers(now, signSlackBody(secret, now, body).toUpperCase().replace('V0=', 'v0=')), /v0=<64 lowercase hex/],
    ['a digest one hex digit short', () => headers(now, signSlackBody(secret, now, body).slice(0, -1)), /v0=<64 lowercase hex/],
    ['a digest one hex digit long', () => headers(now, `${signSlackBody(secret, now, body)}0`), /v0=<64 lowercase hex/],
    ['a digest with a non-hex character', () => headers(now, signSlackBody(secret, now, body).replace(/.$/, 'g')), /v0=<64 lowercase hex/],
    ['surrounding whitespace', () => headers(now, ` ${signSlackBody(secret, now, body)}`), /v0=<64 lowercase hex/],
    ['two signatures in one header', () => headers(now, `${signSlackBody(secret, now, body)},${signSlackBody(secret, now, body)}`), /v0=<64 lowercase hex/],
    ['an empty signature', () => headers(now, ''), /v0=<64 lowercase hex/],
    ['no signature', () => ({ 'x-slack-request-timestamp': String(now) }), /missing/],
    ['no timestamp', () => ({ 'x-slack-signature': signSlackBody(secret, now, body) }), /missing/],
    ['a timestamp that is not a number', () => ({ ...headers(now), 'x-slack-request-timestamp': 'soon' }), /not a number/],
    ['a negative timestamp', () => ({ ...headers(now), 'x-slack-request-timestamp': `-${now}` }), /not a number/],
    ['a fractional timestamp', () => ({ ...headers(now), 'x-slack-request-timestamp': `${now}.5` }), /not a number/],
    ['the signature header twice, in two cases', () => ({ ...headers(now), 'X-Slack-Signature': signSlackBody(secret, now, body) }), /more than once/],
  ])('rejects %s with a named error', (_what, makeHeaders, message) => {
    const call = verify(makeHeaders());
    expect(call).toThrow(InvalidSlackRequestError);
    expect(call).toThrow(message);
  });

  it('rejects a body changed after signing', () => {
    expect(verify(headers(now), body.replace('U1', 'U2'))).toThrow(/signature mismatch/);
    expect(verify(headers(now), `${body} `)).toThrow(/signature mismatch/);
  });
});
