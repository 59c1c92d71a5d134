/**
 * Roll Back Change: put back what this execution's change overwrote (on-call
 * clicked Roll back), or what a manual rollback request names, from the stored
 * ChangeRecord, never from the event. The execution holds the rollback (`holder`),
 * so a second rollback of the same change is refused with its name.
 */
import type { AuditStore } from '../audit/store';
import { rollbackChange } from '../controls/runner';
import { RollbackFailedError } from '../errors';
import { auditStore } from '../runtime/audit';
import { clients } from '../runtime/clients';
import { rules } from '../runtime/rules';
import { settings } from '../runtime/settings';
import { controlContext, type ControlDeps, deciderActor, sessionOf } from './context';
import { defineTask } from './dispatch';
import { DecidedStateSchema, type DecidedState, type RunState } from './state';
import type { TaskInput } from './types';

function actorOf(state: DecidedState): string {
  if (state.escalation?.decidedBy) return deciderActor(state.escalation.decidedBy);
  if (state.finding.request) return state.finding.request.requestedBy;
  return 'auto';
}

export async function rollBackChange(input: TaskInput<DecidedState>, deps: ControlDeps & { audit: AuditStore }): Promise<RunState> {
  const { state, execution } = input;
  // On-call asked to undo this execution's change, or an operator's proven request names the change to undo.
  const changeId = state.change?.changeId ?? state.finding.request?.rollbackOf;
  if (!changeId) throw new RollbackFailedError('nothing to roll back: this execution made no change and the request names none', { context: { findingId: state.finding.id } });
  const record = await rollbackChange({
    ctx: await controlContext(state.finding, deps.rules, deps.remediationRoleArn, deps.clients, { session: sessionOf(state, execution) }),
    store: deps.audit,
    changeId,
    actor: actorOf(state),
    holder: execution,
  });
  return { ...state, rollback: { changeId, status: record.status } };
}

export const rollBackChangeTask = defineTask('roll-back-change', DecidedStateSchema, (input) =>
  rollBackChange(input, { rules: rules(), audit: auditStore(), remediationRoleArn: settings().remediationRoleArn, clients: clients() }),
);
