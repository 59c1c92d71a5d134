/** Record Outcome: every execution leaves one outcome row in the audit table, rejected input included. */
import type { AuditStore } from '../audit/store';
import { logger } from '../logger';
import { outcomeOf } from '../outcome';
import { auditStore } from '../runtime/audit';
import { defineTask } from './dispatch';
import { RunStateSchema, type RunState } from './state';
import { executionName, type TaskInput } from './types';

export async function recordRun(input: TaskInput, audit: AuditStore): Promise<void> {
  const { state } = input;
  const { outcome, headline } = outcomeOf(state);
  await audit.recordOutcome(executionName(input.execution), {
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
}

export async function recordOutcome(input: TaskInput, deps: { audit: AuditStore }): Promise<RunState> {
  await recordRun(input, deps.audit);
  return input.state;
}

export const recordOutcomeTask = defineTask('record-outcome', RunStateSchema, (input) => recordOutcome(input, { audit: auditStore() }));
