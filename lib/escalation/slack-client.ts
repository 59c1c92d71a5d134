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
import { SlackWebApi, type SlackApi } from './slack-api';

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

let client: Promise<SlackApi> | undefined;

export function slackClient(env: NodeJS.ProcessEnv = process.env): Promise<SlackApi> {
  client ??= slackSecrets(env).then(({ botToken }) => new SlackWebApi(botToken, { ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}), retries: 2 }));
  return client;
}
