import { randomBytes } from 'node:crypto';
import type { ApprovalItem } from '../../lib/escalation/approval-store';

/** An approval id no wait was ever given (Request Approval derives its ids from the task token: approvalIdFor). */
export const newApprovalId = (): string => `apr_${randomBytes(16).toString('hex')}`;

/** A pending approval as Request Approval stores it, with a task token no execution is waiting on. */
export function pendingApprovalItem(accountId: string, overrides: Partial<ApprovalItem> = {}): ApprovalItem {
  return {
    approvalId: newApprovalId(),
    kind: 'approval',
    taskToken: 'token-of-no-waiting-task',
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:m:e',
    findingId: 'f',
    resourceArn: 'arn:aws:s3:::bucket-b',
    accountId,
    controlId: 's3-deny-all-bucket-policy',
    changeId: null,
    approvers: [],
    status: 'PENDING',
    createdAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 600,
    ...overrides,
  };
}
