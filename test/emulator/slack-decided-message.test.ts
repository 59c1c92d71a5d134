/**
 * After a Slack click: the execution waiting on a real task token (moto's Step Functions) is
 * resumed, and the original message is updated in place — what it said, without its buttons,
 * and who decided and when (the time the approval store recorded).
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SlackApi } from '../../lib/escalation/slack-api';
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../lib/aws/clients';
import { ApprovalStore } from '../../lib/escalation/approval-store';
import { SLACK_BUTTONS, approvalRequestMessage, type SlackMessage } from '../../lib/escalation/messages';
import { requestView } from '../../lib/escalation/request-view';
import { FindingSchema } from '../../lib/finding';
import { handleSlackInteraction } from '../../lib/workflow/slack-interaction';
import { LOCAL_SLACK_APP, LOCAL_SLACK_TEAM, signSlackBody } from '../../local/slack-click';
import { pendingApprovalItem } from '../support/approvals';
import { useLocalStack } from '../support/emulator';
import { taskTokens } from '../support/task-token';

const stack = useLocalStack();
const clients = new AwsClients(stack.clientConfig);
const approvals = new ApprovalStore(stack.approvalsTable, clients);
const sfn = clients.get(SFNClient);
const signingSecret = 'signing-secret-of-this-test';

const finding = FindingSchema.parse({
  id: 'f-decided',
  source: 'access-analyzer',
  type: 'ExternalAccess',
  status: 'ACTIVE',
  severity: 'HIGH',
  resource: { arn: 'arn:aws:s3:::acme-prod-decided', type: 'AWS::S3::Bucket', accountId: stack.accountId, region: stack.region },
  exposure: { isPublic: true, principals: ['*'], actions: ['s3:GetObject'] },
  observedAt: '2026-12-01T08:00:00Z',
  raw: { eventId: 'e', source: 'aws.access-analyzer' },
});
const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const open = { Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-prod-decided/*' };

/** A signed click as Slack sends it: the payload carries the message as shown, blocks included. */
function signedClick(value: string, message: SlackMessage) {
  const payload = {
    type: 'block_actions',
    user: { id: 'U0LEAD', username: 'lead' },
    team: { id: LOCAL_SLACK_TEAM },
    api_app_id: LOCAL_SLACK_APP,
    message: { type: 'message', text: message.text, blocks: message.blocks },
    actions: [{ type: 'button', action_id: SLACK_BUTTONS.approve, block_id: 'remediator_decision', value }],
  };
  const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  return { rawBody, headers: { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signSlackBody(signingSecret, timestamp, rawBody) } };
}

describe('a Slack decision', () => {
  it('resumes the waiting execution and updates the original message with who decided and when, without its buttons', async () => {
    const tokens = await taskTokens(sfn, clients.get(SQSClient), stack.accountId);
    const { executionArn, taskToken } = await tokens.waiting();
    const item = pendingApprovalItem(stack.accountId, { approvers: ['U0LEAD'], taskToken, executionArn, channel: 'C0SEC', messageTs: '1764745200.000100' });
    await approvals.put(item);
    const view = requestView({
      finding,
      ruleId: 'approve-production-buckets',
      executionArn,
      zone: { accountIds: [stack.accountId] },
      plan: { controlId: 's3-remove-external-statements', summary: 'Remove statement Open', before: { policy: policy([open]) }, after: { policy: null } },
    });
    const original = approvalRequestMessage(view, item.approvalId);
    const updates: Record<string, unknown>[] = [];
    const slack = { chat: { update: (args: Record<string, unknown>) => (updates.push(args), Promise.resolve({ ok: true })) } } as unknown as SlackApi;

    const response = await handleSlackInteraction(signedClick(item.approvalId, original), {
      signingSecret,
      workspace: { teamId: LOCAL_SLACK_TEAM, appId: LOCAL_SLACK_APP },
      approvals,
      sfn,
      slack: () => Promise.resolve(slack),
    });

    expect(response.statusCode).toBe(200);
    const done = await tokens.finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toMatchObject({ outcome: 'APPROVED', decidedBy: 'U0LEAD' });
    const decided = await approvals.get(item.approvalId);
    expect(updates).toHaveLength(1);
    const update = updates[0] as { channel: string; ts: string; text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
    expect(update).toMatchObject({ channel: 'C0SEC', ts: '1764745200.000100' });
    expect(update.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(update.blocks)).toContain('*The change, as a diff*');
    expect(JSON.stringify(update.blocks)).toContain('*Who loses access*');
    expect(update.blocks.at(-1)?.elements?.[0]?.text).toBe(`*APPROVED* by <@U0LEAD> at ${decided?.decidedAt}`);
    expect(update.text).toContain('APPROVED by <@U0LEAD>');
  });
});
