/**
 * The Slack clients built from the Slack secret: a failed secret read at a cold start does not stick to the
 * container, and the click handler's client makes one short attempt (Slack waits 3 s for a click's answer)
 * where the tasks' client waits out a rate limit. Secrets Manager is mocked; Slack is a loopback HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_CLIENT_SETTINGS, slackClient, slackClientForClicks } from '../../../lib/escalation/slack-client';
import { failure } from '../../support/failure';

const secrets = mockClient(SecretsManagerClient);
const SECRET = JSON.stringify({ botToken: 'xoxb-test', signingSecret: 's', teamId: 'T0TEST', appId: 'A0TEST' });
let server: Server;
let requests = 0;
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  // Slack rate-limits every call, asking for a second's wait.
  server = createServer((req, res) => {
    requests += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
      res.end('{"ok":false,"error":"ratelimited"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  env = { REMEDIATOR_SLACK_SECRET_ID: 'remediator/slack', SLACK_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, AWS_REGION: 'us-east-1' };
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

describe('the Slack clients', () => {
  it('do not keep a failed secret read: the next call reads the secret again', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })).resolves({ SecretString: SECRET });
    const first = await failure(slackClient(env));
    expect(first.message).toMatch(/reading Slack secret remediator\/slack/);
    await expect(slackClient(env)).resolves.toBeDefined();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('the click handler’s client tries once, within Slack’s 3 s, where the tasks’ client waits out Retry-After', async () => {
    expect(SLACK_CLIENT_SETTINGS.clicks.timeoutMs).toBeLessThan(3_000);
    requests = 0;
    const clicks = await failure((await slackClientForClicks(env)).chat.update({ channel: 'C1', ts: '1.2', text: 'decided' }));
    expect(clicks.name).toBe('TransientAwsError');
    expect(requests).toBe(1);

    requests = 0;
    const tasks = await failure((await slackClient(env)).chat.postMessage({ channel: 'C1', text: 'outcome' }));
    expect(tasks.name).toBe('TransientAwsError');
    expect(requests).toBe(1 + SLACK_CLIENT_SETTINGS.tasks.retries);
  });
});
