/**
 * Record And Notify Failure: the failure, with its named error, goes to the
 * audit table and to the route. A transient audit error is retried before
 * anything is posted; any other one still lets the route hear of the failure,
 * and is then raised (the ASL ends the run in Remediation Failed either way).
 */
import * as z from 'zod';
import type { AuditStore } from '../audit/store';
import { InvalidStateError, TransientAwsError } from '../errors';
import { logger } from '../logger';
import { auditStore } from '../runtime/audit';
import { rules } from '../runtime/rules';
import { approvalTopic } from '../runtime/approval-topic';
import { slack, slackConfigured } from '../runtime/slack';
import { defineTask } from './dispatch';
import { notifyRoute, type NotifyDeps } from './record-and-notify';
import { recordRun } from './record-outcome';
import { formatIssues } from '../sources/envelope';
import { errorName } from './error-names';
import { CaughtErrorSchema, RunStateSchema, type RunState } from './state';
import type { TaskInput } from './types';

export async function recordAndNotifyFailure(input: TaskInput, deps: NotifyDeps & { audit: AuditStore }): Promise<RunState> {
  let recordError: unknown;
  try {
    await recordRun(input, deps.audit);
  } catch (error) {
    if (error instanceof TransientAwsError) throw error;
    logger.error('could not record the failure', { executionArn: input.execution, error: (error as Error).message });
    recordError = error;
  }
  const notified = await notifyRoute(input, deps);
  if (recordError) throw recordError;
  return notified;
}

/**
 * The failure path must record even a state that does not parse (that may be the failure):
 * then only the caught error is kept, and the parse problem is added to its cause.
 */
export function failureState(state: unknown): RunState {
  const parsed = RunStateSchema.safeParse(state);
  if (parsed.success) return parsed.data;
  const error = z.object({ error: CaughtErrorSchema }).safeParse(state);
  const problem = `the workflow state does not parse: ${formatIssues(parsed.error)}`;
  return {
    error: error.success
      ? { Error: error.data.error.Error, Cause: `${error.data.error.Cause} (${problem})` }
      : { Error: errorName(InvalidStateError), Cause: problem },
  };
}

export const recordAndNotifyFailureTask = defineTask('record-and-notify-failure', z.unknown(), (input) =>
  recordAndNotifyFailure(
    { state: failureState(input.state), execution: input.execution },
    { audit: auditStore(), slack, slackConfigured: slackConfigured(), topic: approvalTopic(), defaultChannel: rules().routes.default.slackChannel },
  ),
);
