/** The approval topic of this process (without Slack, requests with signed links and outcomes go there), or null. */
import { SNSClient } from '@aws-sdk/client-sns';
import { runtimeSettings } from '../config';
import type { Topic } from '../escalation/publish-text';
import { perClients } from './memo';

export const snsClient = perClients((clients) => clients.get(SNSClient));

/** The topic alone (no links to sign): where Record And Notify sends outcomes when Slack is not configured. */
export function approvalTopic(env: NodeJS.ProcessEnv = process.env): Topic | null {
  const { approvalTopicArn } = runtimeSettings(env);
  return approvalTopicArn ? { topicArn: approvalTopicArn, sns: snsClient } : null;
}

