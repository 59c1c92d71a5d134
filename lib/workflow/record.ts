/** Record Outcome / Record Failure: every execution leaves one outcome row, rejected input included. */
import type { AuditStore } from '../audit/store';
import { logger } from '../logger';
import { outcomeOf, type RunState } from '../outcome';
import { executionName, type TaskInput } from './types';

export async function recordOutcome(input: TaskInput, deps: { audit: AuditStore }): Promise<RunState> {
  const { state } = input;
  const { outcome, headline } = outcomeOf(state);
  await deps.audit.recordOutcome(executionName(input.execution), {
    executionArn: input.execution,
    outcome,
    headline,
    findingId: state.finding?.id ?? null,
    resourceArn: state.finding?.resource.arn ?? null,
    action: state.decision?.action ?? null,
    ruleId: state.decision?.ruleId ?? null,
    changeId: state.change?.changeId ?? null,
    error: state.error ? { name: state.error.Error, cause: state.error.Cause.slice(0, 4000) } : null,
    rejected: state.rejected ?? state.batch?.rejected ?? [],
    startedFindings: state.batch?.started?.length ?? null,
  });
  const log = { outcome, executionArn: input.execution, findingId: state.finding?.id };
  if (outcome === 'FAILED') logger.error('execution failed', { ...log, error: state.error?.Error });
  else logger.info('execution recorded', log);
  return state;
}
