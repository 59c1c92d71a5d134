/**
 * The Slack Web API client and the Slack secrets. On AWS the bot token and the
 * signing secret live in one Secrets Manager secret ({"botToken", "signingSecret"})
 * named by REMEDIATOR_SLACK_SECRET_ID; they are read once per container.
 * SLACK_API_URL points the client at another base URL (the local stand-in).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { defaultClients } from '../aws/clients';
import { toRemediatorError } from '../aws/errors';
import { RemediatorError } from '../errors';
import { SlackWebApi, type SlackApi, type SlackApiOptions } from './slack-api';

/**
 * The Slack app's secrets and identity. `teamId` and `appId` are required: a click is accepted only from this
 * workspace and this app, even when it carries a valid signature (a signing secret shared with another app is not enough).
 */
const SlackSecretSchema = z.object({ botToken: z.string().min(1), signingSecret: z.string().min(1), teamId: z.string().min(1), appId: z.string().min(1) });
export type SlackSecrets = z.infer<typeof SlackSecretSchema>;

let secrets: Promise<SlackSecrets> | undefined;

export function slackSecrets(env: NodeJS.ProcessEnv = process.env): Promise<SlackSecrets> {
  secrets ??= loadSecrets(env).catch((error: unknown) => {
    secrets = undefined;
    throw error;
  });
  return secrets;
}

async function loadSecrets(env: NodeJS.ProcessEnv): Promise<SlackSecrets> {
  const secretId = env.REMEDIATOR_SLACK_SECRET_ID;
  if (!secretId) throw new RemediatorError('REMEDIATOR_SLACK_SECRET_ID is not set: Slack is not configured');
  let text: string | undefined;
  try {
    text = (await defaultClients().get(SecretsManagerClient).send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    throw toRemediatorError(error, `reading Slack secret ${secretId}`);
  }
  const parsed = SlackSecretSchema.safeParse(JSON.parse(text ?? '{}'));
  if (!parsed.success) throw new RemediatorError(`Slack secret ${secretId} must be JSON with botToken, signingSecret, teamId (the workspace T…) and appId (the Slack app A…)`);
  return parsed.data;
}

/**
 * How each client tries again. The workflow's tasks may wait out a rate limit in the function (their timeouts allow it,
 * and the state machine retries what is left). A click may not: Slack waits 3 s for the answer, and the decision is
 * taken before the message is updated, so that update gets one short attempt (a failed one is logged; the decision stands).
 */
export const SLACK_CLIENT_SETTINGS = { tasks: { retries: 2 }, clicks: { retries: 0, timeoutMs: 2_000 } } as const satisfies Record<string, SlackApiOptions>;

const clients = new Map<keyof typeof SLACK_CLIENT_SETTINGS, Promise<SlackApi>>();

/** One client per kind and container; a failed start (the secret could not be read) is not kept, the next call tries again. */
function clientFor(kind: keyof typeof SLACK_CLIENT_SETTINGS, env: NodeJS.ProcessEnv): Promise<SlackApi> {
  const known = clients.get(kind);
  if (known) return known;
  const client = slackSecrets(env).then(({ botToken }) => new SlackWebApi(botToken, { ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}), ...SLACK_CLIENT_SETTINGS[kind] }));
  clients.set(kind, client);
  client.catch(() => {
    if (clients.get(kind) === client) clients.delete(kind);
  });
  return client;
}

/** The client of the workflow's tasks (posting requests and outcomes). */
export function slackClient(env: NodeJS.ProcessEnv = process.env): Promise<SlackApi> {
  return clientFor('tasks', env);
}

/** The client of the click handler (updating the message after a decision). */
export function slackClientForClicks(env: NodeJS.ProcessEnv = process.env): Promise<SlackApi> {
  return clientFor('clicks', env);
}
