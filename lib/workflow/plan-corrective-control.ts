/** Plan Corrective Control (dry run): the exact change, computed from the live resource; nothing is written. */
import { planHash } from '../controls/plan-hash';
import { planChange } from '../controls/runner';
import { clients } from '../runtime/clients';
import { rules } from '../runtime/rules';
import { settings } from '../runtime/settings';
import { controlContext, controlOf, type ControlDeps, sessionOf } from './context';
import { defineTask } from './dispatch';
import { DecidedStateSchema, type DecidedState, type RunState } from './state';
import type { TaskInput } from './types';

export async function planCorrectiveControl(input: TaskInput<DecidedState>, deps: ControlDeps): Promise<RunState> {
  const { state } = input;
  const controlId = controlOf(state, 'Plan Corrective Control');
  const plan = await planChange(controlId, await controlContext(state.finding, deps.rules, deps.remediationRoleArn, deps.clients, { accessAnalyzerChecks: deps.accessAnalyzerChecks, session: sessionOf(state, input.execution) }));
  const hash = planHash({ controlId, resourceArn: state.finding.resource.arn, before: plan.before, after: plan.after });
  return { ...state, plan: { summary: plan.summary, applicable: plan.applicable, reason: plan.reason, before: plan.before, after: plan.after, planHash: hash } };
}

export const planCorrectiveControlTask = defineTask('plan-corrective-control', DecidedStateSchema, (input) =>
  planCorrectiveControl(input, { rules: rules(), remediationRoleArn: settings().remediationRoleArn, accessAnalyzerChecks: settings().accessAnalyzerRescan, clients: clients() }),
);
