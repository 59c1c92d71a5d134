import { AwsClients } from '../../lib/aws/clients';
/**
 * The Slack endpoint as deployed (API Gateway HTTP API event → handler), served by the
 * local function host, against the emulator's DynamoDB and Step Functions.
 */
import { describe, expect, it } from 'vitest';
import { ApprovalStore, newApprovalId } from '../../lib/escalation/approval-store';
import { pendingApprovalItem } from '../support/approvals';
import { SLACK_BUTTONS } from '../../lib/escalation/messages';
import { clickSlackButton } from '../../local/slack-click';
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

  it('answers 400 to a button that does not answer this kind of request', async () => {
    const approvalId = await pendingApproval([]);
    expect((await click(approvalId, 'U0LEAD', SLACK_BUTTONS.rollback)).status).toBe(400);
    expect((await approvals.get(approvalId))?.status).toBe('PENDING');
  });

  it('answers 409 when the workflow stopped waiting (its task token is gone)', async () => {
    const approvalId = await pendingApproval([]);
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
});
