/**
 * Check Resolution: re-fetch the resource and re-check it (never the event).
 * Counts attempts so the state machine can wait again or escalate.
 */
import type { AwsClients } from '../aws/clients';
import { verifyChange } from '../controls/runner';
import { VerificationFailedError } from '../errors';
import { logger } from '../logger';
import type { RunState } from '../outcome';
import type { RulesFile } from '../rules/schema';
import { analyzerStatus } from '../verify/access-analyzer';
import { controlContext } from './context';
import type { TaskInput } from './types';

export async function checkResolution(input: TaskInput, deps: { rules: RulesFile; remediationRoleArn: string | null; clients: AwsClients; rescan?: boolean }): Promise<RunState> {
  const { state } = input;
  const controlId = state.decision?.controlId;
  if (!state.finding || !state.decision || !controlId) {
    throw new VerificationFailedError('nothing to verify: the workflow state has no finding or control');
  }
  const attempt = (state.verification?.attempt ?? 0) + 1;
  const outcome = await verifyChange(controlId, controlContext(state.finding, deps.rules, deps.remediationRoleArn, deps.clients));
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
  return {
    ...state,
    verification: { status: resolved ? 'RESOLVED' : 'STILL_OPEN', attempt, attemptsLeft, reason },
  };
}
