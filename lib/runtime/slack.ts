/** The Slack Web API client (bot token from Secrets Manager, read once per container). Only the functions that post import this. */
export { slackClient as slack } from '../escalation/slack-client';

/** Slack is configured when its secret is named; otherwise approvals go out as signed links (lib/runtime/links.ts). */
export const slackConfigured = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env.REMEDIATOR_SLACK_SECRET_ID);
