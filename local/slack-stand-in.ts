/**
 * A Slack Web API stand-in on loopback. The Slack client (lib/escalation/slack-api.ts)
 * is pointed at it with SLACK_API_URL; it answers chat.postMessage / chat.update like
 * Slack does and records every accepted call so the demo and the tests can read the
 * message and click its buttons (with correctly signed requests, see local/slack-click.ts).
 *
 * It refuses what Slack refuses: no token (`not_authed`; JSON bodies need the bearer header), a token that is not
 * the bot token (`invalid_auth`), a body that is not JSON or form data (`invalid_json`),
 * a message without a channel or text (`channel_not_found`, `no_text`). Refused calls
 * are not recorded: nothing was posted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedSlackCall {
  method: string;
  /** Bearer token the client sent: lets tests assert the bot token is used. */
  token: string | null;
  args: Record<string, unknown>;
  ts: string;
}

export interface SlackStandIn {
  /** Base URL for the Slack client (SLACK_API_URL): ends with /api/. */
  apiUrl: string;
  /** Base URL for reading recorded calls: GET {url}/_recorded. */
  url: string;
  calls: RecordedSlackCall[];
  close(): Promise<void>;
}

export interface SlackStandInOptions {
  /** The bot token to accept; without it, any bot token (`xoxb-…`) is accepted. */
  botToken?: string;
}

type Answer = { ok: true; [field: string]: unknown } | { ok: false; error: string };

export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const calls: RecordedSlackCall[] = [];
  let counter = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname === '/_recorded') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(calls));
        return;
      }
      const method = url.pathname.replace(/^\/api\//, '');
      const contentType = req.headers['content-type'] ?? '';
      const args = parseArgs(Buffer.concat(chunks).toString('utf8'), contentType);
      // Slack reads the token from the Authorization header, or from a form body's `token` field (never from JSON).
      const formToken = !contentType.includes('application/json') && typeof args?.token === 'string' ? args.token : null;
      const token = bearerToken(req.headers.authorization) ?? formToken;
      const ts = `${Math.floor(Date.now() / 1000)}.${String(counter + 1).padStart(6, '0')}`;
      const answer = answerCall(method, token, args, ts);
      if (answer.ok) {
        counter += 1;
        calls.push({ method, token, args: args ?? {}, ts });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });

  /** What Slack answers, in the order it checks: the token, the body, then the method's arguments. */
  function answerCall(method: string, token: string | null, args: Record<string, unknown> | null, ts: string): Answer {
    if (!token) return { ok: false, error: 'not_authed' };
    if (options.botToken ? token !== options.botToken : !token.startsWith('xoxb-')) return { ok: false, error: 'invalid_auth' };
    if (!args) return { ok: false, error: 'invalid_json' };
    if (method === 'chat.postMessage' || method === 'chat.update') {
      if (typeof args.channel !== 'string' || !args.channel) return { ok: false, error: 'channel_not_found' };
      if (method === 'chat.update' && (typeof args.ts !== 'string' || !args.ts)) return { ok: false, error: 'message_not_found' };
      if (!args.text && !(Array.isArray(args.blocks) && args.blocks.length)) return { ok: false, error: 'no_text' };
      return { ok: true, channel: args.channel, ts: method === 'chat.update' ? args.ts : ts, message: args };
    }
    if (method === 'auth.test') return { ok: true, user_id: 'U0REMEDIATOR', team_id: 'T0LOCAL' };
    return { ok: false, error: 'unknown_method' };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    apiUrl: `${url}/api/`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function bearerToken(authorization: string | undefined): string | null {
  const match = /^Bearer (\S+)$/.exec(authorization ?? '');
  return match?.[1] ?? null;
}

/** The Web API accepts form-encoded or JSON bodies; structured fields arrive as JSON text in forms. Null: not a body Slack can read. */
function parseArgs(body: string, contentType: string): Record<string, unknown> | null {
  if (!body) return {};
  if (contentType.includes('application/json')) {
    const parsed = safeJson(body);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  }
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    args[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return args;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Read what a stand-in recorded, from another process (tests run in workers). */
export async function fetchRecordedSlackCalls(standInUrl: string): Promise<RecordedSlackCall[]> {
  const response = await fetch(`${standInUrl}/_recorded`);
  return (await response.json()) as RecordedSlackCall[];
}
