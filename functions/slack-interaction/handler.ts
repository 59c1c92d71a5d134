import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { isLinkPath } from '../../lib/escalation/approval-link';
import { linkSigningKey } from '../../lib/escalation/link-secret';
import { handleApprovalLink } from '../../lib/escalation/link-endpoint';
import { slackClientForClicks, slackSecrets } from '../../lib/escalation/slack-client';
import { lambdaHandler } from '../../lib/lambda';
import { approvalStore } from '../../lib/runtime/approvals';
import { sfnClient } from '../../lib/runtime/sfn';
import { handleSlackInteraction } from '../../lib/workflow/slack-interaction';

/**
 * POST /slack/interactions (API Gateway HTTP API): Slack button clicks.
 * GET and POST /approvals/{approvalId}/{action}: the signed links of the SNS fallback (no Slack).
 */
export const handler = lambdaHandler(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  if (isLinkPath(event.rawPath)) {
    if (!process.env.REMEDIATOR_APPROVAL_LINK_SECRET_ID) return { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'approval links are not configured (Slack is)' };
    return handleApprovalLink(
      { method: event.requestContext.http.method, path: event.rawPath, query: event.queryStringParameters ?? Object.fromEntries(new URLSearchParams(event.rawQueryString)) },
      { signingKey: await linkSigningKey(), approvals: approvalStore(), sfn: sfnClient() },
    );
  }
  const rawBody = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  const { signingSecret, teamId, appId } = await slackSecrets();
  const result = await handleSlackInteraction(
    { rawBody, headers: event.headers },
    { signingSecret, workspace: { teamId, appId }, approvals: approvalStore(), sfn: sfnClient(), slack: slackClientForClicks },
  );
  return { statusCode: result.statusCode, headers: { 'content-type': 'text/plain' }, body: result.body };
});
