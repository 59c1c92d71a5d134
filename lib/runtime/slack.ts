/** The Slack Web API client (bot token from Secrets Manager, read once per container). Only the functions that post import this. */
export { slackClient as slack } from '../escalation/slack-client';
