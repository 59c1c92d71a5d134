import { AwsClients } from '../../lib/aws/clients';
/**
 * The Slack endpoint as deployed (API Gateway HTTP API event → handler), served by the
 * local function host, against the emulator's DynamoDB and Step Functions.
 */
import { describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../lib/escalation/approval-store';
import { newApprovalId, pendingApprovalItem } from '../support/approvals';
import { SLACK_BUTTONS } from '../../lib/escalation/messages';
import { SFNClient } from '@aws-sdk/client-sfn';
import { handleSlackInteraction } from '../../lib/workflow/slack-interaction';
import { LOCAL_SLACK_APP, LOCAL_SLACK_TEAM, clickSlackButton, interactionBody, signSlackBody } from '../../local/slack-click';
import { injectFaults } from '../support/faults';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const approvals = new ApprovalStore(stack.approvalsTable, new AwsClients(stack.clientConfig));

async function pendingApproval(approvers: string[]): Promise<string> {
  const item = pendingApprovalItem(stack.accountId, { approvers });
  await approvals.put(item);
  return item.approvalId;
}

describe('the Slack interaction endpoint', () => {
  const click = (value: string, userId: string, actionId: string = SLACK_BUTTONS.approve) =>
    clickSlackButton({ interactionsUrl: stack.interactionsUrl, signingSecret: stack.signingSecret, userId, actionId, value });

  it('answers 403 to someone who is not an approver for the account, and the approval stays pending', async () => {
    const approvalId = await pendingApproval(['U0LEAD']);
    const response = await click(approvalId, 'U0INTERN');
    expect(response.status).toBe(403);
    expect(response.body).toMatch(/not an approver/);
    expect((await approvals.get(approvalId))?.status).toBe('PENDING');
  });

  it('answers 403 to everyone when the route names no approvers (fail closed)', async () => {
    const approvalId = await pendingApproval([]);
    const response = await click(approvalId, 'U0LEAD');
    expect(response.status).toBe(403);
    expect(response.body).toMatch(/no approvers are configured/);
    expect((await approvals.get(approvalId))?.status).toBe('PENDING');
  });

  it('answers 403 to a correctly signed click from another workspace or another app', async () => {
    const approvalId = await pendingApproval(['U0LEAD']);
    for (const other of [{ teamId: 'T0OTHER' }, { appId: 'A0OTHER' }]) {
      const response = await clickSlackButton({ interactionsUrl: stack.interactionsUrl, signingSecret: stack.signingSecret, userId: 'U0LEAD', actionId: SLACK_BUTTONS.approve, value: approvalId, ...other });
      expect(response.status).toBe(403);
      expect(response.body).toMatch(/not from the configured/);
    }
    expect((await approvals.get(approvalId))?.status).toBe('PENDING');
  });

  it('answers 400 to a button that does not answer this kind of request', async () => {
    const approvalId = await pendingApproval(['U0LEAD']);
    expect((await click(approvalId, 'U0LEAD', SLACK_BUTTONS.rollback)).status).toBe(400);
    expect((await approvals.get(approvalId))?.status).toBe('PENDING');
  });

  it('answers 409 when the workflow stopped waiting (its task token is gone)', async () => {
    const approvalId = await pendingApproval(['U0LEAD']);
    const response = await click(approvalId, 'U0LEAD');
    expect(response.status).toBe(409);
    expect(response.body).toMatch(/no longer waiting/);
  });

  it('answers 409 to an approval id that does not exist', async () => {
    expect((await click(newApprovalId(), 'U0LEAD')).status).toBe(409);
  });

  it('answers 401 to a body that is not signed at all', async () => {
    const response = await fetch(stack.interactionsUrl, { method: 'POST', body: 'payload=%7B%7D' });
    expect(response.status).toBe(401);
  });

  it('gives the decision back when the execution cannot be resumed, so the same person can click again', async () => {
    const approvalId = await pendingApproval(['U0LEAD']);
    const faults = injectFaults([{ command: 'SendTaskSuccessCommand', error: 'ThrottlingException' }]);
    try {
      const clients = new AwsClients(stack.clientConfig);
      const timestamp = Math.floor(Date.now() / 1000);
      const rawBody = interactionBody({ userId: 'U0LEAD', actionId: SLACK_BUTTONS.approve, value: approvalId });
      const request = { rawBody, headers: { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signSlackBody(stack.signingSecret, timestamp, rawBody) } };
      const deps = { signingSecret: stack.signingSecret, workspace: { teamId: LOCAL_SLACK_TEAM, appId: LOCAL_SLACK_APP }, approvals, sfn: clients.get(SFNClient), slack: () => Promise.reject(new Error('no Slack in this test')) };

      const throttled = await handleSlackInteraction(request, deps);

      expect(throttled.statusCode).toBe(503);
      expect(throttled.body).toMatch(/click again/);
      expect(faults.calls.filter((c) => c.command === 'SendTaskSuccessCommand').length).toBeGreaterThanOrEqual(3);
      expect((await approvals.get(approvalId))?.status).toBe('PENDING');

      faults.rules.length = 0; // Step Functions answers again: the click goes through to it (no execution waits on this token: 409)
      expect((await handleSlackInteraction(request, deps)).statusCode).toBe(409);
      expect((await approvals.get(approvalId))?.decidedBy).toBe('U0LEAD');
    } finally {
      faults.remove();
    }
  });
});
