/**
 * Apply Corrective Control: the runner (lib/controls/runner.ts) takes the
 * resource lease, saves the ChangeRecord and writes. After an approval it is
 * given the plan the human saw (`approval.plan`): if the live resource no longer
 * matches it, the runner throws PlanChangedError and the ASL asks again. Without
 * an approval, a plan that cuts off more identities than the rule's
 * `maxPrincipalsRemoved` throws ApprovalRequiredError and the ASL asks first.
 */
import type { AuditStore } from '../audit/store';
import { blastRadiusGate } from '../controls/blast-radius';
import { applyChange } from '../controls/runner';
import { auditStore } from '../runtime/audit';
import { clients } from '../runtime/clients';
import { rules } from '../runtime/rules';
import { settings } from '../runtime/settings';
import { requestRescan } from '../verify/access-analyzer';
import { controlContext, controlOf, type ControlDeps, deciderActor, sessionOf } from './context';
import { defineTask } from './dispatch';
import { DecidedStateSchema, type DecidedState, type RunState } from './state';
import { executionName, type TaskInput } from './types';

export interface ApplyDeps extends ControlDeps {
  audit: AuditStore;
  /** Ask Access Analyzer for a rescan after a write (the deployed stack; never the local one). */
  rescan: boolean;
}

export async function applyCorrectiveControl(input: TaskInput<DecidedState>, deps: ApplyDeps): Promise<RunState> {
  const { state, execution } = input;
  const controlId = controlOf(state, 'Apply Corrective Control');
  const ctx = await controlContext(state.finding, deps.rules, deps.remediationRoleArn, deps.clients, { accessAnalyzerChecks: deps.accessAnalyzerChecks, session: sessionOf(state, execution) });
  const gate = blastRadiusGate(state.decision.maxPrincipalsRemoved, state.finding.resource.arn, ctx.zone);
  const result = await applyChange({
    controlId,
    ctx,
    store: deps.audit,
    changeId: executionName(execution),
    executionArn: execution,
    actor: state.approval?.decidedBy ? deciderActor(state.approval.decidedBy) : 'auto',
    ...(state.approval?.plan ? { approvedPlan: state.approval.plan } : {}),
    ...(gate ? { gate } : {}),
  });
  const duplicate = Boolean(result.handledBy && result.handledBy !== execution);
  // Ask the source to look again now, so that Check Resolution does not wait for its schedule.
  if (result.status === 'REMEDIATED' && !duplicate && deps.rescan) await requestRescan(state.finding, deps.clients);
  return {
    ...state,
    change: {
      status: duplicate ? 'DUPLICATE' : result.status,
      controlId: result.controlId,
      changeId: result.changeId,
      summary: result.summary,
      reason: result.reason,
      ...(duplicate && result.handledBy ? { handledBy: result.handledBy } : {}),
    },
  };
}

export const applyCorrectiveControlTask = defineTask('apply-corrective-control', DecidedStateSchema, (input) =>
  applyCorrectiveControl(input, {
    rules: rules(),
    audit: auditStore(),
    remediationRoleArn: settings().remediationRoleArn, accessAnalyzerChecks: settings().accessAnalyzerRescan,
    clients: clients(),
    rescan: settings().accessAnalyzerRescan,
  }),
);
