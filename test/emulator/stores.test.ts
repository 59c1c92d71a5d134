import { AwsClients } from '../../lib/aws/clients';
/** The audit and approval tables on the emulator's DynamoDB: the guarantees the workflow relies on. */
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { ApprovalStore, approvalIdFor, type ApprovalItem } from '../../lib/escalation/approval-store';
import { uniqueName } from '../../local/fixtures';
import { newApprovalId, pendingApprovalItem } from '../support/approvals';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const approvals = new ApprovalStore(stack.approvalsTable, new AwsClients(stack.clientConfig));

const approval = (overrides: Partial<ApprovalItem> = {}): ApprovalItem => pendingApprovalItem(stack.accountId, overrides);

describe('the change records', () => {
  it('refuse a second record under the same change id, so `before` is never overwritten', async () => {
    const changeId = uniqueName('c');
    const record = {
      changeId,
      controlId: 'x',
      findingId: 'f',
      resourceArn: 'arn:aws:s3:::bucket-b',
      resourceType: 'AWS::S3::Bucket',
      accountId: stack.accountId,
      region: stack.region,
      executionArn: 'e',
      actor: 'auto',
      status: 'PENDING' as const,
      before: { policy: '{"original":true}' },
      after: { policy: null },
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    await audit.createChange(record);
    await expect(audit.createChange({ ...record, before: { policy: 'overwritten' } })).rejects.toThrow(/exists already/);
    expect((await audit.getChange(changeId))?.before.policy).toBe('{"original":true}');
  });
});

describe('the finding claims', () => {
  it('give a finding version to the first execution and tell the second who has it', async () => {
    const key = uniqueName('finding');
    expect(await audit.claimFinding(key, 'exec-1')).toBe('exec-1');
    expect(await audit.claimFinding(key, 'exec-1')).toBe('exec-1');
    expect(await audit.claimFinding(key, 'exec-2')).toBe('exec-1');
  });
});

describe('the approvals', () => {
  it('are decided exactly once', async () => {
    const item = approval();
    await approvals.put(item);
    const decided = await approvals.decide(item.approvalId, 'APPROVED', 'U1');
    expect(decided).toMatchObject({ status: 'DECIDED', decision: 'APPROVED', decidedBy: 'U1', taskToken: item.taskToken });
    await expect(approvals.decide(item.approvalId, 'REJECTED', 'U2')).rejects.toMatchObject({ name: 'ApprovalNotPendingError' });
    expect((await approvals.get(item.approvalId))?.decidedBy).toBe('U1');
  });

  it('cannot be decided after they expire, or when they do not exist', async () => {
    const item = approval({ expiresAt: Math.floor(Date.now() / 1000) - 1 });
    await approvals.put(item);
    await expect(approvals.decide(item.approvalId, 'APPROVED', 'U1')).rejects.toMatchObject({ name: 'ApprovalNotPendingError' });
    await expect(approvals.decide(newApprovalId(), 'APPROVED', 'U1')).rejects.toMatchObject({ name: 'ApprovalNotPendingError' });
  });

  it('are stored once per wait: a retried ask gets the stored approval back, untouched', async () => {
    const token = uniqueName('task-token');
    const first = approval({ approvalId: approvalIdFor(token), taskToken: token, expiresAt: Math.floor(Date.now() / 1000) + 600 });
    expect(await approvals.putOrGet(first)).toEqual({ item: first, created: true });
    await approvals.setMessage(first.approvalId, 'C1', '1.1');

    const retried = await approvals.putOrGet({ ...first, createdAt: new Date(Date.now() + 5_000).toISOString(), expiresAt: first.expiresAt + 5 });

    expect(retried.created).toBe(false);
    expect(retried.item).toMatchObject({ approvalId: first.approvalId, createdAt: first.createdAt, expiresAt: first.expiresAt, messageTs: '1.1', status: 'PENDING' });
    expect(approvalIdFor(token)).toMatch(/^apr_[0-9a-f]{32}$/);
    expect(approvalIdFor(`${token}-next`)).not.toBe(first.approvalId);
  });
});
