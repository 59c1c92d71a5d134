/**
 * The Slack client on fetch against a real HTTP server on loopback that answers as scripted:
 * what goes on the wire, how Slack's answers become results or typed errors, and how many
 * times it tries again.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RemediatorError, TransientAwsError } from '../../../lib/errors';
import { SlackWebApi, type SlackApiOptions } from '../../../lib/escalation/slack-api';
import { failure } from '../../support/failure';

interface Received {
  method: string | undefined;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Scripted {
  /** Never answer (the client's time limit ends the attempt). */
  hang?: boolean;
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

const received: Received[] = [];
let script: Scripted[] = [];
let server: Server;
let apiUrl = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method, path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const next = script.shift() ?? { status: 500, body: 'the test scripted no more answers' };
      if (next.hang) return;
      res.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...next.headers });
      res.end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

beforeEach(() => {
  received.length = 0;
  script = [];
});

const ok = (fields: Record<string, unknown> = {}): Scripted => ({ body: JSON.stringify({ ok: true, ...fields }) });
const slackError = (error: string, extra: Record<string, unknown> = {}): Scripted => ({ body: JSON.stringify({ ok: false, error, ...extra }) });

/** A client whose waits are recorded instead of slept: the test asserts what it asked to wait, not how long it took. */
function client(options: SlackApiOptions = {}): { slack: SlackWebApi; waits: number[] } {
  const waits: number[] = [];
  const slack = new SlackWebApi('xoxb-test-token', {
    apiUrl,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    ...options,
  });
  return { slack, waits };
}

describe('the Slack client on fetch', () => {
  it('POSTs chat.postMessage to {apiUrl}chat.postMessage with the bot token as bearer and the arguments as a JSON body', async () => {
    script = [ok({ channel: 'C0SEC', ts: '1700000000.000100', message: { text: 'hello' } })];
    const blocks = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '*hello*' } }];
    const answer = await client().slack.chat.postMessage({ channel: '#security', text: 'hello', blocks });

    expect(answer).toMatchObject({ ok: true, channel: 'C0SEC', ts: '1700000000.000100' });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/chat.postMessage');
    expect(request?.headers.authorization).toBe('Bearer xoxb-test-token');
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(request?.body ?? '')).toEqual({ channel: '#security', text: 'hello', blocks });
  });

  it('POSTs chat.update the same way, and accepts a base URL without the trailing slash', async () => {
    script = [ok({ channel: 'C0SEC', ts: '1.2' })];
    const slack = new SlackWebApi('xoxb-test-token', { apiUrl: apiUrl.replace(/\/$/, '') });
    await slack.chat.update({ channel: 'C0SEC', ts: '1.2', text: 'decided' });
    expect(received[0]?.path).toBe('/api/chat.update');
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({ channel: 'C0SEC', ts: '1.2', text: 'decided' });
  });

  it('turns ok:false into a RemediatorError naming the method and Slack’s error (with its details), without retrying', async () => {
    script = [slackError('invalid_blocks', { response_metadata: { messages: ['[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]'] } })];
    const { slack, waits } = client();
    const error = await failure(slack.chat.postMessage({ channel: '#security', text: 'x' }));
    expect(error).toBeInstanceOf(RemediatorError);
    expect(error).not.toBeInstanceOf(TransientAwsError);
    expect(error.message).toBe('Slack chat.postMessage failed: invalid_blocks ([ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text])');
    expect((error as RemediatorError).context).toEqual({ method: 'chat.postMessage', slackError: 'invalid_blocks' });
    expect(received).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('waits what Retry-After says on HTTP 429, then succeeds', async () => {
    script = [{ status: 429, headers: { 'retry-after': '3' }, body: '' }, ok({ channel: 'C0SEC', ts: '9.9' })];
    const { slack, waits } = client();
    const args = { channel: '#security', text: 'hello' };
    const answer = await slack.chat.postMessage(args);
    expect(answer.ts).toBe('9.9');
    expect(waits).toEqual([3000]);
    expect(received.map((r) => JSON.parse(r.body) as unknown)).toEqual([args, args]);
  });

  it('treats ok:false ratelimited like a 429', async () => {
    script = [{ ...slackError('ratelimited'), headers: { 'retry-after': '1' } }, ok({ ts: '1.1' })];
    const { slack, waits } = client();
    expect((await slack.chat.update({ channel: 'C', ts: '1.1', text: 't' })).ts).toBe('1.1');
    expect(waits).toEqual([1000]);
  });

  it('retries 5xx and network errors with a growing backoff', async () => {
    script = [{ status: 503, body: 'upstream down' }, { status: 500, body: '' }, ok({ ts: '2.2' })];
    const { slack, waits } = client({ backoffMs: 100 });
    expect((await slack.chat.postMessage({ channel: 'C', text: 't' })).ts).toBe('2.2');
    expect(waits).toEqual([100, 200]);
    expect(received).toHaveLength(3);

    const unreachable = new SlackWebApi('xoxb-test-token', { apiUrl: 'http://127.0.0.1:1/api/', backoffMs: 7, sleep: () => Promise.resolve() });
    const error = await failure(unreachable.chat.postMessage({ channel: 'C', text: 't' }));
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(error.message).toMatch(/^Slack chat\.postMessage did not succeed, try again later: request failed: /);
  });

  it('ends an attempt Slack does not answer at its time limit, and counts it as a network error', async () => {
    script = [{ hang: true, body: '' }, ok({ ts: '3.3' })];
    const { slack, waits } = client({ timeoutMs: 200, backoffMs: 50 });
    expect((await slack.chat.postMessage({ channel: 'C', text: 't' })).ts).toBe('3.3');
    expect(received).toHaveLength(2);
    expect(waits).toEqual([50]);

    script = [{ hang: true, body: '' }, { hang: true, body: '' }];
    const error = await failure(client({ timeoutMs: 200, retries: 1 }).slack.chat.postMessage({ channel: 'C', text: 't' }));
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(error.message).toMatch(/request failed: TimeoutError/);
  });

  it('gives up after `retries` retries with a TransientAwsError (which the state machine retries later)', async () => {
    script = [0, 1, 2, 3].map(() => ({ status: 429, headers: { 'retry-after': '1' }, body: '' }));
    const { slack, waits } = client({ retries: 2 });
    const error = await failure(slack.chat.postMessage({ channel: 'C', text: 't' }));
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(error.name).toBe('TransientAwsError');
    expect(error.message).toBe('Slack chat.postMessage did not succeed, try again later: HTTP 429, Retry-After 1 s');
    expect(received).toHaveLength(3);
    expect(waits).toEqual([1000, 1000]);
  });

  it('does not wait in the function when Retry-After is longer than it should spend', async () => {
    script = [{ status: 429, headers: { 'retry-after': '120' }, body: '' }, ok()];
    const { slack, waits } = client({ maxRetryAfterSeconds: 30 });
    const error = await failure(slack.chat.postMessage({ channel: 'C', text: 't' }));
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(received).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('says so when the answer is not a Web API response', async () => {
    script = [{ status: 404, headers: { 'content-type': 'text/html' }, body: '<html>not found</html>' }];
    const error = await failure(client().slack.chat.postMessage({ channel: 'C', text: 't' }));
    expect(error).toBeInstanceOf(RemediatorError);
    expect(error.message).toBe('Slack chat.postMessage answered HTTP 404 with a body that is not a Web API response: <html>not found</html>');
  });

  it('refuses an empty token or a base URL that is not http(s), before any request', () => {
    expect(() => new SlackWebApi('', { apiUrl })).toThrow(new RemediatorError('the Slack bot token is empty'));
    expect(() => new SlackWebApi('xoxb-t', { apiUrl: 'slack.com/api' })).toThrow('the Slack API URL must be an http(s) URL, got "slack.com/api"');
    expect(received).toEqual([]);
  });
});
