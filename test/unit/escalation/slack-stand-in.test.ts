/**
 * The local Slack stand-in takes what the Slack client sends (JSON, bearer bot token) and
 * refuses what Slack refuses, so tests that post through it cannot pass with a missing or
 * wrong token. Refused calls are not recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemediatorError } from '../../../lib/errors';
import { SlackWebApi } from '../../../lib/escalation/slack-api';
import { fetchRecordedSlackCalls, startSlackStandIn, type SlackStandIn } from '../../../local/slack-stand-in';
import { failure } from '../../support/failure';

const BOT_TOKEN = 'xoxb-stand-in-test';
let standIn: SlackStandIn;

beforeAll(async () => {
  standIn = await startSlackStandIn({ botToken: BOT_TOKEN });
});
afterAll(() => standIn.close());

const post = (headers: Record<string, string>, body: string) =>
  fetch(`${standIn.apiUrl}chat.postMessage`, { method: 'POST', headers, body }).then((r) => r.json() as Promise<{ ok: boolean; error?: string }>);

describe('the Slack stand-in', () => {
  it('answers and records what the client posts with the bot token, and keeps the message ts for chat.update', async () => {
    const slack = new SlackWebApi(BOT_TOKEN, { apiUrl: standIn.apiUrl });
    const posted = await slack.chat.postMessage({ channel: 'C0SEC', text: 'approval needed', blocks: [{ type: 'divider' }] });
    expect(posted).toMatchObject({ ok: true, channel: 'C0SEC' });
    const updated = await slack.chat.update({ channel: 'C0SEC', ts: posted.ts ?? '', text: 'approved' });
    expect(updated.ts).toBe(posted.ts);

    const recorded = (await fetchRecordedSlackCalls(standIn.url)).slice(-2);
    expect(recorded).toEqual([
      { method: 'chat.postMessage', token: BOT_TOKEN, args: { channel: 'C0SEC', text: 'approval needed', blocks: [{ type: 'divider' }] }, ts: posted.ts },
      { method: 'chat.update', token: BOT_TOKEN, args: { channel: 'C0SEC', ts: posted.ts, text: 'approved' }, ts: expect.any(String) as string },
    ]);
  });

  it('refuses another token with invalid_auth (a typed error from the client) and records nothing', async () => {
    const before = standIn.calls.length;
    const error = await failure(new SlackWebApi('xoxb-someone-else', { apiUrl: standIn.apiUrl }).chat.postMessage({ channel: 'C0SEC', text: 'x' }));
    expect(error).toBeInstanceOf(RemediatorError);
    expect(error.message).toBe('Slack chat.postMessage failed: invalid_auth');
    expect(standIn.calls.length).toBe(before);
  });

  it('refuses a JSON body without a bearer token (not_authed), even with a token in the body', async () => {
    const before = standIn.calls.length;
    expect(await post({ 'content-type': 'application/json' }, JSON.stringify({ token: BOT_TOKEN, channel: 'C', text: 't' }))).toEqual({ ok: false, error: 'not_authed' });
    expect(await post({ 'content-type': 'application/json', authorization: BOT_TOKEN }, JSON.stringify({ channel: 'C', text: 't' }))).toEqual({ ok: false, error: 'not_authed' });
    expect(standIn.calls.length).toBe(before);
  });

  it('accepts a form body with its token field, as Slack does', async () => {
    const answer = await post({ 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ token: BOT_TOKEN, channel: 'C0FORM', text: 'form' }).toString());
    expect(answer).toMatchObject({ ok: true, channel: 'C0FORM' });
  });

  it('refuses bodies Slack cannot read and messages without a channel or text', async () => {
    const auth = { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json; charset=utf-8' };
    expect(await post(auth, '{"channel": ')).toEqual({ ok: false, error: 'invalid_json' });
    expect(await post(auth, JSON.stringify({ text: 't' }))).toEqual({ ok: false, error: 'channel_not_found' });
    expect(await post(auth, JSON.stringify({ channel: 'C' }))).toEqual({ ok: false, error: 'no_text' });
  });

  it('without a configured token, accepts only bot tokens', async () => {
    const open = await startSlackStandIn();
    try {
      await expect(new SlackWebApi('xoxb-any', { apiUrl: open.apiUrl }).chat.postMessage({ channel: 'C', text: 't' })).resolves.toMatchObject({ ok: true });
      await expect(new SlackWebApi('xoxp-user-token', { apiUrl: open.apiUrl }).chat.postMessage({ channel: 'C', text: 't' })).rejects.toThrow('Slack chat.postMessage failed: invalid_auth');
      expect(open.calls.map((call) => call.token)).toEqual(['xoxb-any']);
    } finally {
      await open.close();
    }
  });
});
