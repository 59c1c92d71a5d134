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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LambdaHandler = (event: any, context: Context) => Promise<any>;
export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Invocation {
  functionName: string;
  startedAt: number;
  durationMs: number;
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
}

export async function startFunctionHost(options: FunctionHostOptions): Promise<FunctionHost> {
  const invocations: Invocation[] = [];
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

  async function invoke(functionName: string, body: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const handler = options.functions[functionName];
    const startedAt = Date.now();
    if (!handler) {
      const payload = { errorType: 'ResourceNotFoundException', errorMessage: `function host has no handler named ${functionName}` };
      invocations.push({ functionName, startedAt, durationMs: 0, errorType: payload.errorType });
      return { status: 200, headers: { 'x-amz-function-error': 'Unhandled' }, body: JSON.stringify(payload) };
    }
    try {
      const event: unknown = body.length ? JSON.parse(body) : {};
      const result: unknown = await handler(event, lambdaContext(functionName));
      invocations.push({ functionName, startedAt, durationMs: Date.now() - startedAt });
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result ?? null) };
    } catch (error) {
      // Exactly what the Node.js Lambda runtime returns for an unhandled error.
      const err = error instanceof Error ? error : new Error(String(error));
      invocations.push({ functionName, startedAt, durationMs: Date.now() - startedAt, errorType: err.name });
      const payload = { errorType: err.name, errorMessage: err.message, trace: (err.stack ?? '').split('\n') };
      return { status: 200, headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' }, body: JSON.stringify(payload) };
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

function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 60_000;
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
