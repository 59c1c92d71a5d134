/**
 * Check Resolution: re-fetch the resource and re-check it (never the event).
 * Counts attempts so the state machine can wait again or escalate.
 */
import { verifyChange } from '../controls/runner';
import { logger } from '../logger';
import { clients } from '../runtime/clients';
import { rules } from '../runtime/rules';
import { settings } from '../runtime/settings';
import { analyzerStatus } from '../verify/access-analyzer';
import { controlContext, controlOf, type ControlDeps, sessionOf } from './context';
import { defineTask } from './dispatch';
import { DecidedStateSchema, type DecidedState, type RunState } from './state';
import type { TaskInput } from './types';

export async function checkResolution(input: TaskInput<DecidedState>, deps: ControlDeps & { rescan: boolean }): Promise<RunState> {
  const { state } = input;
  const controlId = controlOf(state, 'Check Resolution');
  const attempt = (state.verification?.attempt ?? 0) + 1;
  const outcome = await verifyChange(controlId, controlContext(state.finding, deps.rules, deps.remediationRoleArn, deps.clients, { session: sessionOf(state, input.execution) }));
  let resolved = outcome.resolved;
  let reason = outcome.reason;
  if (resolved && deps.rescan) {
    // The live resource is closed; the source must agree before the finding counts as resolved.
    const status = await analyzerStatus(state.finding, deps.clients);
    if (status === 'ACTIVE') {
      resolved = false;
      reason = `${outcome.reason} on the live resource, but Access Analyzer still reports the finding ACTIVE (rescan pending)`;
    } else if (status) {
      reason = `${outcome.reason}; Access Analyzer reports the finding ${status}`;
    }
  }
  const attemptsLeft = Math.max(0, state.decision.rescan.maxAttempts - attempt);
  logger.info('verified', { findingId: state.finding.id, controlId, resolved, attempt, executionArn: input.execution });
  return { ...state, verification: { status: resolved ? 'RESOLVED' : 'STILL_OPEN', attempt, attemptsLeft, reason } };
}

export const checkResolutionTask = defineTask('check-resolution', DecidedStateSchema, (input) =>
  checkResolution(input, { rules: rules(), remediationRoleArn: settings().remediationRoleArn, clients: clients(), rescan: settings().accessAnalyzerRescan }),
);
