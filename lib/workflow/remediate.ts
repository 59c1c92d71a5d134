/**
 * Plan Corrective Control / Apply Corrective Control / Roll Back Change / Archive Finding.
 */
import type { AuditStore } from '../audit/store';
import type { AwsClients } from '../aws/clients';
import { applyChange, planChange, rollbackChange } from '../controls/runner';
import { ControlNotFoundError, RollbackFailedError } from '../errors';
import type { Finding } from '../finding';
import type { RunState } from '../outcome';
import type { RulesFile } from '../rules/schema';
import { archiveFinding } from '../findings/archive';
import { requestRescan } from '../verify/access-analyzer';
import { controlContext } from './context';
import { executionName, type TaskInput } from './types';

export interface RemediateDeps {
  rules: RulesFile;
  audit: AuditStore;
  remediationRoleArn: string | null;
  clients: AwsClients;
  /** Ask Access Analyzer for a rescan after a write (the deployed stack; never the local one). */
  rescan?: boolean;
}

export type RemediateOperation = 'plan' | 'apply' | 'rollback' | 'archive';

function requireControl(state: RunState): { finding: Finding; controlId: string } {
  const controlId = state.decision?.controlId;
  if (!state.finding || !controlId) {
    throw new ControlNotFoundError('the workflow state has no finding or no control to run', { context: { findingId: state.finding?.id } });
  }
  return { finding: state.finding, controlId };
}

export async function remediate(input: TaskInput & { operation: RemediateOperation }, deps: RemediateDeps): Promise<RunState> {
  const { state } = input;
  switch (input.operation) {
    case 'plan': {
      const { finding, controlId } = requireControl(state);
      const plan = await planChange(controlId, controlContext(finding, deps.rules, deps.remediationRoleArn, deps.clients));
      return { ...state, plan: { summary: plan.summary, applicable: plan.applicable, reason: plan.reason, before: plan.before, after: plan.after } };
    }
    case 'apply': {
      const { finding, controlId } = requireControl(state);
      const change = await applyChange({
        controlId,
        ctx: controlContext(finding, deps.rules, deps.remediationRoleArn, deps.clients),
        store: deps.audit,
        changeId: executionName(input.execution),
        executionArn: input.execution,
        actor: state.approval?.decidedBy ? `slack:${state.approval.decidedBy}` : 'auto',
      });
      // Ask the source to look again now, so that Check Resolution does not wait for its schedule.
      if (change.status === 'REMEDIATED' && deps.rescan) await requestRescan(finding, deps.clients);
      return { ...state, change };
    }
    case 'rollback': {
      // On-call asked to undo this execution's change, or an operator's proven request names the change to undo.
      const changeId = state.change?.changeId ?? state.finding?.request?.rollbackOf;
      if (!state.finding || !changeId) throw new RollbackFailedError('nothing to roll back: this execution made no change');
      const actor = state.escalation?.decidedBy ? `slack:${state.escalation.decidedBy}` : (state.finding.request?.requestedBy ?? 'auto');
      const record = await rollbackChange({ ctx: controlContext(state.finding, deps.rules, deps.remediationRoleArn, deps.clients), store: deps.audit, changeId, actor, holder: input.execution });
      return { ...state, rollback: { changeId, status: record.status } };
    }
    case 'archive': {
      if (!state.finding) throw new ControlNotFoundError('nothing to archive: the workflow state has no finding');
      return { ...state, archive: await archiveFinding(state.finding, state.decision?.ruleId ?? 'unknown', deps.clients) };
    }
  }
}
