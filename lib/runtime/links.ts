/** The approval link delivery of this process (the SNS fallback when Slack is not configured), or null when not configured. */
import { runtimeSettings } from '../config';
import { linkSigningKey } from '../escalation/link-secret';
import { RemediatorError } from '../errors';
import type { LinkDelivery } from '../workflow/ask-human';
import { snsClient } from './approval-topic';

export function approvalLinks(env: NodeJS.ProcessEnv = process.env): LinkDelivery | null {
  const { approvalTopicArn, approvalLinkBaseUrl } = runtimeSettings(env);
  if (!approvalTopicArn) return null;
  if (!approvalLinkBaseUrl || !env.REMEDIATOR_APPROVAL_LINK_SECRET_ID) {
    throw new RemediatorError('REMEDIATOR_APPROVAL_TOPIC_ARN is set but REMEDIATOR_APPROVAL_LINK_BASE_URL or REMEDIATOR_APPROVAL_LINK_SECRET_ID is not: approval links cannot be signed');
  }
  return { topicArn: approvalTopicArn, baseUrl: approvalLinkBaseUrl, signingKey: () => linkSigningKey(env), sns: snsClient };
}
