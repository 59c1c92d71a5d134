/**
 * The states' side of the safe write path (issue 7): what Apply, Request Approval
 * and Roll Back Change hand the runner, and what they make of its answer. The
 * runner itself is tested on the emulator; here it is replaced at its interface
 * to observe exactly what crosses it.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditStore } from '../../../lib/audit/store';
import { AwsClients } from '../../../lib/aws/clients';
import { planHash } from '../../../lib/controls/plan-hash';
import type { ApprovalItem, ApprovalStore } from '../../../lib/escalation/approval-store';
import { parseRules } from '../../../lib/rules/load';
import { triage } from '../../../lib/rules/triage';
import type { DecidedState } from '../../../lib/workflow/state';
import { finding } from '../../support/finding';

const runner = vi.hoisted(() => ({ applyChange: vi.fn(), planChange: vi.fn(), rollbackChange: vi.fn() }));
vi.mock('../../../lib/controls/runner', async (original) => ({ ...(await original<object>()), ...runner }));

const { applyCorrectiveControl } = await import('../../../lib/workflow/apply-corrective-control');
const { requestApproval } = await import('../../../lib/workflow/request-approval');
const { rollBackChange } = await import('../../../lib/workflow/roll-back-change');

const rules = parseRules(readFileSync('remediator.rules.yaml', 'utf8'));
const clients = new AwsClients({ region: 'us-east-1' });
const audit = {} as AuditStore;
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:remediation:run-1';
const plan = { before: { policy: '{"old":1}' }, after: { policy: '{"new":1}' }, summary: 'deny-all', planHash: 'h1' };

function state(overrides: Partial<DecidedState> = {}): DecidedState {
  const found = finding({ bucket: 'write-path-bucket' });
  return { finding: found, decision: triage(found, rules), ...overrides };
}

const deps = { rules, audit, remediationRoleArn: null, clients, rescan: false };
const applied = (fields: Record<string, unknown> = {}) => ({ status: 'REMEDIATED', controlId: 's3-deny-all-bucket-policy', changeId: 'run-1', summary: 'deny-all', reason: 'public', ...fields });

beforeEach(() => vi.clearAllMocks());

describe('Apply Corrective Control', () => {
  it('hands the runner the plan the approver saw, and the approver as the actor', async () => {
    runner.applyChange.mockResolvedValue(applied());
    await applyCorrectiveControl({ state: state({ approval: { outcome: 'APPROVED', decidedBy: 'U0APPROVER', plan } }), execution: EXECUTION }, deps);
    expect(runner.applyChange).toHaveBeenCalledTimes(1);
    expect(runner.applyChange.mock.calls[0]![0]).toMatchObject({ approvedPlan: plan, actor: 'slack:U0APPROVER', changeId: 'run-1', executionArn: EXECUTION });
  });

  it('hands no approved plan on the automatic path', async () => {
    runner.applyChange.mockResolvedValue(applied());
    const result = await applyCorrectiveControl({ state: state(), execution: EXECUTION }, deps);
    expect(runner.applyChange.mock.calls[0]![0]).not.toHaveProperty('approvedPlan');
    expect(result.change).toMatchObject({ status: 'REMEDIATED', changeId: 'run-1' });
  });

  it('turns a resource another execution already handled into DUPLICATE, naming that execution', async () => {
    runner.applyChange.mockResolvedValue(applied({ status: 'NOT_APPLICABLE', changeId: null, handledBy: 'arn:exec:first' }));
    const result = await applyCorrectiveControl({ state: state(), execution: EXECUTION }, deps);
    expect(result.change).toMatchObject({ status: 'DUPLICATE', handledBy: 'arn:exec:first' });
  });

  it('lets PlanChangedError through for the ASL to catch (nothing is turned into data)', async () => {
    const { PlanChangedError } = await import('../../../lib/errors');
    runner.applyChange.mockRejectedValue(new PlanChangedError('moved'));
    await expect(applyCorrectiveControl({ state: state(), execution: EXECUTION }, deps)).rejects.toBeInstanceOf(PlanChangedError);
  });
});

describe('Request Approval', () => {
  it('plans once, stores the plan with its hash beside the task token, and shows it', async () => {
    runner.planChange.mockResolvedValue({ applicable: true, reason: 'public', before: plan.before, after: plan.after, summary: 'replace the policy with deny-all' });
    const stored: ApprovalItem[] = [];
    const approvals = { putOrGet: async (item: ApprovalItem) => (stored.push(item), { item, created: true }), setMessage: async () => undefined } as unknown as ApprovalStore;
    const posted: { text: string; blocks: unknown[] }[] = [];
    const slack = async () => ({ chat: { postMessage: async (m: { text: string; blocks: unknown[] }) => (posted.push(m), { ok: true }) } }) as never;
    const s = state();
    const result = await requestApproval({ state: s, execution: EXECUTION, taskToken: 'token-1' }, { ...deps, approvals, slack });

    expect(runner.planChange).toHaveBeenCalledTimes(1);
    const expected = planHash({ controlId: s.decision.controlId!, resourceArn: s.finding.resource.arn, before: plan.before, after: plan.after });
    expect(result.plan).toEqual({ before: plan.before, after: plan.after, summary: 'replace the policy with deny-all', planHash: expected });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ kind: 'approval', taskToken: 'token-1', executionArn: EXECUTION, plan: result.plan, approvalId: result.approvalId });
    expect(JSON.stringify(posted[0]!.blocks)).toContain('replace the policy with deny-all');
    expect(JSON.stringify(posted[0])).not.toContain('token-1');
  });

  it('says which round it is when the plan changed under an earlier approval', async () => {
    runner.planChange.mockResolvedValue({ applicable: true, reason: 'public', before: plan.before, after: plan.after, summary: 'new plan' });
    const approvals = { putOrGet: async (item: ApprovalItem) => ({ item, created: true }), setMessage: async () => undefined } as unknown as ApprovalStore;
    const posted: unknown[] = [];
    const slack = async () => ({ chat: { postMessage: async (m: unknown) => (posted.push(m), { ok: true }) } }) as never;
    await requestApproval({ state: state({ rounds: { approval: 2 } }), execution: EXECUTION, taskToken: 't' }, { ...deps, approvals, slack });
    expect(JSON.stringify(posted[0])).toMatch(/Round 2: the resource changed/);
  });

  it('a retried ask (same task token) reuses the approval its earlier attempt stored, and posts again only if that attempt did not', async () => {
    runner.planChange.mockResolvedValue({ applicable: true, reason: 'public', before: plan.before, after: plan.after, summary: 'deny-all' });
    // An approvals table of one key, with the store's put-or-get semantics.
    const table = new Map<string, ApprovalItem>();
    const approvals = {
      putOrGet: async (item: ApprovalItem) => (table.has(item.approvalId) ? { item: table.get(item.approvalId)!, created: false } : (table.set(item.approvalId, item), { item, created: true })),
      setMessage: async (approvalId: string, channel: string, messageTs: string) => void table.set(approvalId, { ...table.get(approvalId)!, channel, messageTs }),
    } as unknown as ApprovalStore;
    let posts = 0;
    let failPost = true;
    const slack = async () =>
      ({
        chat: {
          postMessage: async () => {
            posts += 1;
            if (failPost) throw Object.assign(new Error('Slack chat.postMessage did not succeed, try again later'), { name: 'TransientAwsError' });
            return { ok: true, channel: 'C1', ts: '1.1' };
          },
        },
      }) as never;
    const ask = { state: state(), execution: EXECUTION, taskToken: 'token-retried' };

    await expect(requestApproval(ask, { ...deps, approvals, slack })).rejects.toMatchObject({ name: 'TransientAwsError' });
    failPost = false;
    const second = await requestApproval(ask, { ...deps, approvals, slack });
    const third = await requestApproval(ask, { ...deps, approvals, slack });

    expect([...table.keys()]).toEqual([second.approvalId]);
    expect(third.approvalId).toBe(second.approvalId);
    expect(table.get(second.approvalId)).toMatchObject({ status: 'PENDING', messageTs: '1.1' });
    expect(posts).toBe(2);
    const other = await requestApproval({ ...ask, taskToken: 'token-next-round' }, { ...deps, approvals, slack });
    expect(other.approvalId).not.toBe(second.approvalId);
  });
});

describe('Roll Back Change', () => {
  it('holds the rollback in the name of this execution and puts back this execution’s change', async () => {
    runner.rollbackChange.mockResolvedValue({ status: 'ROLLED_BACK' });
    const s = state({ change: { status: 'REMEDIATED', changeId: 'run-1', summary: '', reason: '', controlId: 's3-deny-all-bucket-policy' }, escalation: { outcome: 'ROLL_BACK', decidedBy: 'U0ONCALL' } });
    const result = await rollBackChange({ state: s, execution: EXECUTION }, deps);
    expect(runner.rollbackChange.mock.calls[0]![0]).toMatchObject({ changeId: 'run-1', holder: EXECUTION, actor: 'slack:U0ONCALL' });
    expect(result.rollback).toEqual({ changeId: 'run-1', status: 'ROLLED_BACK' });
  });

  it('refuses, by name, to roll back when there is no change to put back', async () => {
    await expect(rollBackChange({ state: state(), execution: EXECUTION }, deps)).rejects.toMatchObject({ name: 'RollbackFailedError' });
    expect(runner.rollbackChange).not.toHaveBeenCalled();
  });
});
