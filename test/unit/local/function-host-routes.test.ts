/**
 * The local function host serves HTTP routes as API Gateway (HTTP API, payload v2) does: an exact
 * route key, or one with `{name}` path parameters (GET/POST /approvals/{approvalId}/{action}).
 */
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunctionHost, type FunctionHost, type HttpHandler } from '../../../local/function-host';
import { HTTP_FUNCTIONS } from '../../../local/functions';

const seen: { name: string; event: APIGatewayProxyEventV2 }[] = [];
const recording =
  (name: string): HttpHandler =>
  (event) => {
    seen.push({ name, event });
    return Promise.resolve({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: name });
  };

let host: FunctionHost;
beforeAll(async () => {
  host = await startFunctionHost({
    functions: {},
    routes: {
      'POST /slack/interactions': recording('slack'),
      'GET /approvals/{approvalId}/{action}': recording('link-get'),
      'POST /approvals/{approvalId}/{action}': recording('link-post'),
      'POST /approvals/list': recording('exact'),
    },
  });
});
afterAll(() => host.close());

describe('the function host’s HTTP routes', () => {
  it('hands a templated path to its route with routeKey, pathParameters, the raw path and the query', async () => {
    seen.length = 0;
    const response = await fetch(`${host.url}/approvals/apr_0123/approve?expires=10&sig=ab`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('link-post');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.event).toMatchObject({
      routeKey: 'POST /approvals/{approvalId}/{action}',
      rawPath: '/approvals/apr_0123/approve',
      rawQueryString: 'expires=10&sig=ab',
      pathParameters: { approvalId: 'apr_0123', action: 'approve' },
      requestContext: { http: { method: 'POST', path: '/approvals/apr_0123/approve' } },
    });
  });

  it('matches the method, prefers an exact key, and answers 404 to a path with more or fewer segments', async () => {
    seen.length = 0;
    expect(await (await fetch(`${host.url}/approvals/apr_0123/reject`)).text()).toBe('link-get');
    expect(await (await fetch(`${host.url}/approvals/list`, { method: 'POST' })).text()).toBe('exact');
    expect(await (await fetch(`${host.url}/slack/interactions`, { method: 'POST', body: 'payload=x' })).text()).toBe('slack');
    for (const path of ['/approvals/apr_0123', '/approvals/apr_0123/approve/extra', '/approvals//approve']) {
      const response = await fetch(`${host.url}${path}`, { method: 'POST' });
      expect(response.status, path).toBe(404);
    }
    expect((await fetch(`${host.url}/approvals/apr_0123/approve`, { method: 'PUT' })).status).toBe(404);
    expect(seen.map((s) => s.name)).toEqual(['link-get', 'exact', 'slack']);
  });

  it('is given each HTTP function’s routes as serverless.yml declares them', () => {
    const config = parse(readFileSync('serverless.yml', 'utf8'), { logLevel: 'silent' }) as { functions: Record<string, { events?: { httpApi?: { method: string; path: string } }[] }> };
    for (const [key, { route }] of Object.entries(HTTP_FUNCTIONS)) {
      const declared = (config.functions[key]?.events ?? []).flatMap(({ httpApi }) => (httpApi ? [`${httpApi.method} ${httpApi.path}`] : []));
      expect(declared.length, key).toBeGreaterThan(0);
      expect([route].flat().sort(), key).toEqual(declared.sort());
    }
  });
});
