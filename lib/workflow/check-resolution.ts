/**
 * Check Resolution: re-fetch the resource and re-check it with the control's own verify (never the
 * event). Deployed, the source that raised the finding must then agree (lib/verify/source.ts):
 * Access Analyzer's status, Config's verdict after a re-evaluation, or — GuardDuty findings do
 * not resolve — the finding archived once the fix holds. The local stack, which has none of these
 * APIs, answers from the live re-check alone.
 * Counts attempts so the state machine can wait again or escalate.
 */
import { verifyChange } from '../controls/runner';
import { logger } from '../logger';
import { clients } from '../runtime/clients';
import { rules } from '../runtime/rules';
import { settings } from '../runtime/settings';
import { askSource } from '../verify/source';
import { controlContext, controlOf, type ControlDeps, sessionOf } from './context';
import { defineTask } from './dispatch';
import { DecidedStateSchema, type DecidedState, type RunState } from './state';
import type { TaskInput } from './types';

export interface CheckResolutionDeps extends ControlDeps {
  /** Deployed: ask the finding's source too (the setting that switches the Access Analyzer rescan). */
  rescan: boolean;
}

export async function checkResolution(input: TaskInput<DecidedState>, deps: CheckResolutionDeps): Promise<RunState> {
  const { state } = input;
  const controlId = controlOf(state, 'Check Resolution');
  const attempt = (state.verification?.attempt ?? 0) + 1;
  const outcome = await verifyChange(controlId, await controlContext(state.finding, deps.rules, deps.remediationRoleArn, deps.clients, { session: sessionOf(state, input.execution) }));
  let resolved = outcome.resolved;
  let reason = outcome.reason;
  // The source is asked only once the live resource is closed: a GuardDuty finding is never archived over an open resource.
  const verdict = resolved && deps.rescan ? await askSource(state.finding, deps.clients) : null;
  if (verdict) {
    resolved = verdict.resolved;
    reason = verdict.resolved ? `${outcome.reason}; ${verdict.reason}` : `${outcome.reason} on the live resource, but ${verdict.reason}`;
  }
  const attemptsLeft = Math.max(0, state.decision.rescan.maxAttempts - attempt);
  logger.info('verified', { findingId: state.finding.id, controlId, resolved, attempt, source: verdict?.source ?? 'live', executionArn: input.execution });
  return { ...state, verification: { status: resolved ? 'RESOLVED' : 'STILL_OPEN', attempt, attemptsLeft, reason } };
}

export const checkResolutionTask = defineTask('check-resolution', DecidedStateSchema, (input) =>
  checkResolution(input, { rules: rules(), remediationRoleArn: settings().remediationRoleArn, clients: clients(), rescan: settings().accessAnalyzerRescan }),
);
