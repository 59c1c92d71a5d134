/**
 * The function host: a loopback HTTP server that runs our real Lambda handlers
 * for the local stack. The moto launcher forwards every Lambda invoke to
 * `POST /invoke/<function-name>`; API routes (the Slack endpoint) are served
 * as API Gateway HTTP API (payload v2) events, as on AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { LAMBDA_TIMED_OUT } from '../lib/errors';
import { deployedLimits, type FunctionLimits } from './function-limits';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LambdaHandler = (event: any, context: Context) => Promise<any>;
export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Invocation {
  functionName: string;
  /** When the handler started (after any wait for a free slot). */
  startedAt: number;
  durationMs: number;
  /** How long the invocation waited for a free slot of its function before its handler started. */
  queuedMs?: number;
  errorType?: string;
}

export interface FunctionHost {
  url: string;
  invocations: Invocation[];
  close(): Promise<void>;
}

export interface FunctionHostOptions {
  /** Lambda handlers by deployed function name. */
  functions: Record<string, LambdaHandler>;
  /** HTTP routes, keyed "POST /slack/interactions"; a `{name}` segment matches one path segment, as API Gateway's path parameters. */
  routes?: Record<string, HttpHandler>;
  /** Function timeouts and concurrency (default: serverless.yml's timeouts, local/function-limits.ts's concurrency). */
  limits?: FunctionLimits;
}

export async function startFunctionHost(options: FunctionHostOptions): Promise<FunctionHost> {
  const invocations: Invocation[] = [];
  const limits = options.limits ?? deployedLimits();
  const slots = new Map<string, Slots>();
  const slotsOf = (functionName: string): Slots => {
    let s = slots.get(functionName);
    if (!s) slots.set(functionName, (s = new Slots(limits.concurrency)));
    return s;
  };
  const server: Server = createServer((req, res) => {
    void handle(req).then(
      ({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      },
    );
  });

  async function handle(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const invokeMatch = /^\/invoke\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && invokeMatch) {
      return invoke(decodeURIComponent(invokeMatch[1] ?? ''), body);
    }
    const route = matchRoute(options.routes ?? {}, req.method ?? 'GET', url.pathname);
    if (route) {
      const result = await route.handler({ ...toHttpApiEvent(req, url, body), ...route.event }, lambdaContext(`route ${url.pathname}`));
      return {
        status: result.statusCode ?? 200,
        headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
        body: result.body ?? '',
      };
    }
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: `no function or route for ${req.method} ${url.pathname}` };
  }

  /**
   * One invocation, as Lambda runs it: it waits for a free slot of its function (as for a sandbox), then its handler
   * runs with the function's timeout, counted from its start. A handler that runs past it is answered as Lambda
   * answers (`Sandbox.Timedout`, an unhandled function error) and its slot is freed. Lambda would also stop that
   * handler; in this one process it runs on to its end, and what it still does is not undone.
   */
  async function invoke(functionName: string, body: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const handler = options.functions[functionName];
    if (!handler) {
      const payload = { errorType: 'ResourceNotFoundException', errorMessage: `function host has no handler named ${functionName}` };
      invocations.push({ functionName, startedAt: Date.now(), durationMs: 0, errorType: payload.errorType });
      return { status: 200, headers: { 'x-amz-function-error': 'Unhandled' }, body: JSON.stringify(payload) };
    }
    const queuedAt = Date.now();
    const slot = await slotsOf(functionName).acquire();
    const startedAt = Date.now();
    const timeoutSeconds = limits.timeoutSeconds(functionName);
    const context = lambdaContext(functionName, startedAt + timeoutSeconds * 1000);
    const record = (errorType?: string): void => {
      invocations.push({ functionName, startedAt, durationMs: Date.now() - startedAt, queuedMs: startedAt - queuedAt, ...(errorType ? { errorType } : {}) });
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => {
      timer = setTimeout(() => resolve('timed out'), timeoutSeconds * 1000);
    });
    const run = (async () => handler(body.length ? (JSON.parse(body) as unknown) : {}, context))().then(
      (result: unknown) => ({ result }),
      (error: unknown) => ({ error: error instanceof Error ? error : new Error(String(error)) }),
    );
    try {
      const outcome = await Promise.race([run, timedOut]);
      if (outcome === 'timed out') {
        record(LAMBDA_TIMED_OUT);
        // What Lambda answers for an invocation that ran out of time.
        const payload = { errorType: LAMBDA_TIMED_OUT, errorMessage: `RequestId: ${context.awsRequestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds` };
        return { status: 200, headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' }, body: JSON.stringify(payload) };
      }
      if ('error' in outcome) {
        // Exactly what the Node.js Lambda runtime returns for an unhandled error.
        const err = outcome.error;
        record(err.name);
        const payload = { errorType: err.name, errorMessage: err.message, trace: (err.stack ?? '').split('\n') };
        return { status: 200, headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' }, body: JSON.stringify(payload) };
      }
      record();
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(outcome.result ?? null) };
    } finally {
      clearTimeout(timer);
      slot.release();
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    invocations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The route for a request: an exact key first, then a key with `{name}` segments (its routeKey and pathParameters, as API Gateway gives them). */
function matchRoute(routes: Record<string, HttpHandler>, method: string, path: string): { handler: HttpHandler; event: Partial<APIGatewayProxyEventV2> } | undefined {
  const exact = routes[`${method} ${path}`];
  if (exact) return { handler: exact, event: {} };
  for (const [key, handler] of Object.entries(routes)) {
    const [routeMethod, template = ''] = key.split(' ');
    if (routeMethod !== method || !template.includes('{')) continue;
    const names: string[] = [];
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'));
    const match = new RegExp(`^${pattern}$`).exec(path);
    if (!match) continue;
    const pathParameters = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
    return { handler, event: { routeKey: key, pathParameters } };
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function toHttpApiEvent(req: IncomingMessage, url: URL, body: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${req.method} ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: `${req.method} ${url.pathname}`,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    body,
    isBase64Encoded: false,
  };
}

/** A slot of one function: at most `size` invocations hold one at a time; the others wait in order. */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async acquire(): Promise<{ release(): void }> {
    if (this.running < this.size) this.running += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over by release()
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.shift();
        if (next) next();
        else this.running -= 1;
      },
    };
  }
}

/** Routes (API Gateway → Lambda) keep the 60 s they always had here; invocations get their function's timeout. */
function lambdaContext(functionName: string, deadline = Date.now() + 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
