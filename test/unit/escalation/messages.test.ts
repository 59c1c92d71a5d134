import { describe, expect, it } from 'vitest';
import { SLACK_BUTTONS, actionFromId, approvalRequestMessage, onCallMessage, outcomeMessage } from '../../../lib/escalation/messages';
import { FindingSchema, type Decision } from '../../../lib/finding';

const finding = FindingSchema.parse({
  id: 'f-1',
  source: 'access-analyzer',
  type: 'ExternalAccess',
  status: 'ACTIVE',
  severity: 'CRITICAL',
  resource: { arn: 'arn:aws:s3:::acme-prod-ledger', type: 'AWS::S3::Bucket', accountId: '123456789012', region: 'us-east-1' },
  exposure: { isPublic: true, principals: ['*'] },
  observedAt: '2026-11-23T09:12:40Z',
  raw: { eventId: 'e', source: 'aws.access-analyzer' },
});
const decision: Decision = {
  action: 'APPROVE',
  controlId: 's3-deny-all-bucket-policy',
  mode: 'approve',
  ruleId: 'approve-production-buckets',
  reason: 'rule',
  route: { slackChannel: '#sec', approvers: [] },
  rescan: { waitSeconds: 1, maxAttempts: 1 },
  escalation: { timeoutSeconds: 60 },
  approval: { timeoutSeconds: 60 },
};
const approvalId = `apr_${'b'.repeat(32)}`;

describe('Slack messages', () => {
  it('ask for approval with the planned change and two buttons that carry only the approval id', () => {
    const message = approvalRequestMessage({ finding, decision }, approvalId, 'Replace the bucket policy with deny-all');
    const text = JSON.stringify(message);
    expect(text).toContain('arn:aws:s3:::acme-prod-ledger');
    expect(text).toContain('Replace the bucket policy with deny-all');
    const buttons = message.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as { action_id?: string; value?: string }[]) : []));
    expect(buttons.map((b) => b.action_id)).toEqual([SLACK_BUTTONS.approve, SLACK_BUTTONS.reject]);
    expect(buttons.every((b) => b.value === approvalId)).toBe(true);
  });

  it('offer roll back to on-call only when a change was made', () => {
    const withChange = onCallMessage({ finding, decision, change: { status: 'REMEDIATED', changeId: 'c1', summary: 's', reason: 'r', controlId: 'x' } }, approvalId);
    const without = onCallMessage({ finding, decision }, approvalId);
    expect(JSON.stringify(withChange)).toContain(SLACK_BUTTONS.rollback);
    expect(JSON.stringify(without)).not.toContain(SLACK_BUTTONS.rollback);
  });

  it('map action ids back to actions and nothing else', () => {
    expect(actionFromId(SLACK_BUTTONS.approve)).toBe('approve');
    expect(actionFromId('approve')).toBeUndefined();
  });

  it('state the outcome and the error of a failed run', () => {
    const message = outcomeMessage({ finding, decision, error: { Error: 'ResourceNotFoundError', Cause: 'no bucket' } }, 'arn:exec');
    expect(message.text).toMatch(/^FAILED/);
    expect(JSON.stringify(message.blocks)).toContain('ResourceNotFoundError');
  });
});
