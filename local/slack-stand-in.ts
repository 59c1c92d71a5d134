/**
 * A Slack Web API stand-in on loopback. `@slack/web-api` is pointed at it with
 * `slackApiUrl`; it answers chat.postMessage / chat.update like Slack does and
 * records every call so the demo and the tests can read the message and click
 * its buttons (with correctly signed requests, see local/slack-click.ts).
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
  /** Base URL to give `new WebClient(token, { slackApiUrl })`: ends with /api/. */
  apiUrl: string;
  /** Base URL for reading recorded calls: GET {url}/_recorded. */
  url: string;
  calls: RecordedSlackCall[];
  close(): Promise<void>;
}

export async function startSlackStandIn(): Promise<SlackStandIn> {
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
      const args = parseArgs(Buffer.concat(chunks).toString('utf8'), req.headers['content-type'] ?? '');
      const auth = req.headers.authorization ?? null;
      const ts = `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, '0')}`;
      calls.push({ method, token: auth ? auth.replace(/^Bearer /, '') : null, args, ts });
      res.writeHead(200, { 'content-type': 'application/json' });
      if (method === 'chat.postMessage' || method === 'chat.update') {
        res.end(JSON.stringify({ ok: true, channel: args.channel ?? 'C0LOCAL', ts: method === 'chat.update' ? args.ts : ts, message: args }));
      } else if (method === 'auth.test') {
        res.end(JSON.stringify({ ok: true, user_id: 'U0REMEDIATOR', team_id: 'T0LOCAL' }));
      } else {
        res.end(JSON.stringify({ ok: false, error: 'unknown_method' }));
      }
    });
  });
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

/** The Web API accepts form-encoded or JSON bodies; structured fields arrive as JSON text in forms. */
function parseArgs(body: string, contentType: string): Record<string, unknown> {
  if (!body) return {};
  if (contentType.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
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
