/**
 * A resource's history across executions (lib/audit/history.ts), read from the audit table's byResource index on the
 * emulator's DynamoDB, for a bucket that went through a fix, an escalation (the fix did not take; on-call
 * acknowledged) and a rollback: written by the real runner and the real Record Outcome.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { resourceHistory } from '../../lib/audit/history';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { applyChange, rollbackChange } from '../../lib/controls/runner';
import type { Decision } from '../../lib/finding';
import { recordRun } from '../../lib/workflow/record-outcome';
import { executionName } from '../../lib/workflow/types';
import { createBucketWithPolicy, publicReadPolicy, uniqueName } from '../../local/fixtures';
import { decision as decisionOf } from '../support/decision';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const clients = new AwsClients(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, clients);
const s3 = new S3Client(stack.clientConfig);
const CONTROL = 's3-deny-all-bucket-policy';
const OPERATOR = `arn:aws:sts::${stack.accountId}:assumed-role/Operator/alice`;

const executionArn = (prefix: string) => `arn:aws:states:${stack.region}:${stack.accountId}:execution:remediation:${uniqueName(prefix)}`;
const decision = (action: Decision['action']): Decision => decisionOf({ action, controlId: CONTROL, reason: 'public bucket' });

async function fixEscalateRollBack(bucket: string) {
  const ctx = controlContextFor(stack, `arn:aws:s3:::${bucket}`, 'AWS::S3::Bucket');
  const fix = executionArn('fix');
  const changeId = executionName(fix);
  const applied = await applyChange({ controlId: CONTROL, ctx, store: audit, changeId, executionArn: fix, actor: 'auto' });
  // The fix did not take (the bucket was re-opened); on-call acknowledged the escalation.
  await recordRun(
    {
      execution: fix,
      state: {
        finding: ctx.finding,
        decision: decision('REMEDIATE'),
        change: { status: 'REMEDIATED', changeId, summary: applied.summary, reason: applied.reason, controlId: CONTROL },
        verification: { status: 'STILL_OPEN', attempt: 2, attemptsLeft: 0, reason: 're-opened' },
        escalation: { outcome: 'ACKNOWLEDGED', decidedBy: 'U0ONCALL', decidedAt: new Date().toISOString() },
      },
    },
    audit,
  );
  const undo = executionArn('undo');
  await rollbackChange({ ctx, store: audit, changeId, actor: OPERATOR, holder: undo });
  await recordRun({ execution: undo, state: { finding: ctx.finding, decision: decision('ROLLBACK'), rollback: { changeId, status: 'ROLLED_BACK' } } }, audit);
  return { ctx, fix, undo, changeId };
}

describe('remediate history, from the audit table', () => {
  it('tells the rollback, the escalation and the change of a resource, newest first, across its executions', async () => {
    const bucket = uniqueName('history');
    await createBucketWithPolicy(s3, bucket);
    const { ctx, fix, undo, changeId } = await fixEscalateRollBack(bucket);
    // Another bucket's run must not show up in this one's history.
    const other = uniqueName('history-other');
    await createBucketWithPolicy(s3, other);
    await applyChange({ controlId: CONTROL, ctx: controlContextFor(stack, `arn:aws:s3:::${other}`, 'AWS::S3::Bucket'), store: audit, changeId: uniqueName('other'), executionArn: executionArn('other'), actor: 'auto' });

    const entries = await resourceHistory(stack.auditTable, clients, { resourceArn: `arn:aws:s3:::${bucket}` });

    expect(entries.map((entry) => [entry.kind, entry.executionArn])).toEqual([
      ['rollback', undo],
      ['human', fix],
      ['change', fix],
    ]);
    const [rollback, human, change] = entries;
    expect(rollback).toMatchObject({ by: OPERATOR, change: { changeId, status: 'ROLLED_BACK' }, findingId: ctx.finding.id });
    expect(human).toMatchObject({ outcome: 'ACKNOWLEDGED', by: 'U0ONCALL', decision: { action: 'REMEDIATE', ruleId: 'public-buckets' } });
    expect(change!.change!.before.policy).toBe(publicReadPolicy(bucket));
    expect(JSON.parse(change!.change!.after.policy!).Statement[0].Effect).toBe('Deny');
    expect(change!.change!.actor).toBe('auto');
    expect(Date.parse(rollback!.at)).toBeGreaterThanOrEqual(Date.parse(human!.at));
  });

  it('keeps to one finding when asked', async () => {
    const bucket = uniqueName('history-finding');
    await createBucketWithPolicy(s3, bucket);
    const { ctx } = await fixEscalateRollBack(bucket);
    expect(await resourceHistory(stack.auditTable, clients, { resourceArn: `arn:aws:s3:::${bucket}`, findingId: 'another-finding' })).toEqual([]);
    expect((await resourceHistory(stack.auditTable, clients, { resourceArn: `arn:aws:s3:::${bucket}`, findingId: ctx.finding.id })).length).toBe(3);
  });

  it('still records an outcome that names no resource (rejected input), which the index leaves out', async () => {
    const rejected = executionArn('rejected');
    await recordRun({ execution: rejected, state: { error: { Error: 'InvalidEventError', Cause: 'not an event' } } }, audit);
    const outcome = await audit.getOutcome(executionName(rejected));
    expect(outcome).toMatchObject({ outcome: 'FAILED', resourceArn: null });
    expect(outcome).not.toHaveProperty('historyResourceArn');
  });
});
