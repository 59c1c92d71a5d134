/**
 * Taking a human's decision, whatever carried it (a Slack click, a signed link):
 * exactly once in the approval store (PENDING → DECIDED), then the waiting task
 * resumed. Deciding and resuming are one recoverable step: a resume that still
 * fails after retries returns the approval to PENDING, so the person can answer
 * again instead of the execution timing out on a decision that was used up.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { toRemediatorError } from '../aws/errors';
import { APPROVAL_REJECTED, ApprovalNotPendingError, InvalidSlackRequestError, RemediatorError, TransientAwsError, describeError } from '../errors';
import { logger } from '../logger';
import type { ApprovalItem, ApprovalStore } from './approval-store';
import type { SlackAction } from './messages';

/** The execution could not be resumed (after retries): the answer gets 503 and, when reopened, can be repeated. */
export class ResumeFailedError extends RemediatorError {
  override readonly name = 'ResumeFailedError';
}

export const DECISION_OF: Record<SlackAction, string> = { approve: 'APPROVED', reject: 'REJECTED', acknowledge: 'ACKNOWLEDGED', rollback: 'ROLL_BACK' };
const KIND_OF: Record<SlackAction, ApprovalItem['kind']> = { approve: 'approval', reject: 'approval', acknowledge: 'on-call', rollback: 'on-call' };

/** What Step Functions answers when the task behind a token is gone. */
const NO_LONGER_WAITING = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
const RESUME_ATTEMPTS = 3;

export interface DecideDeps {
  approvals: ApprovalStore;
  sfn: SFNClient;
  nowMs?: number;
}

/** An action that does not answer this kind of request (Roll back on an approval, Approve on an escalation). */
export function assertAnswers(approval: ApprovalItem, action: SlackAction): void {
  if (approval.kind !== KIND_OF[action]) throw new InvalidSlackRequestError(`${action} is not an answer to an ${approval.kind} request`);
}

/** Decide once and resume the execution; returns the decided item. */
export async function decideAndResume(approval: ApprovalItem, action: SlackAction, decidedBy: string, deps: DecideDeps): Promise<ApprovalItem> {
  assertAnswers(approval, action);
  const decision = DECISION_OF[action];
  const decided = await deps.approvals.decide(approval.approvalId, decision, decidedBy, deps.nowMs ? new Date(deps.nowMs) : new Date());
  try {
    await resume(deps.sfn, action, decided, decision, decidedBy);
  } catch (error) {
    if (NO_LONGER_WAITING.has((error as Error).name)) {
      throw new ApprovalNotPendingError(`the workflow is no longer waiting for this decision (${(error as Error).name}): it timed out or was stopped`, {
        cause: error,
        context: { approvalId: approval.approvalId, executionArn: approval.executionArn },
      });
    }
    // The decision must not be used up by a resume that did not happen: give it back so the person can answer again.
    const reopened = await deps.approvals.reopen(approval.approvalId, decidedBy, decided.decidedAt ?? '').catch(() => false);
    logger.error('could not resume the execution', { approvalId: approval.approvalId, executionArn: approval.executionArn, reopened, error: describeError(error) });
    throw new ResumeFailedError(
      reopened
        ? `Remediator could not resume the workflow (${describeError(error).name}); your decision was not used: click again`
        : `Remediator could not resume the workflow (${describeError(error).name})`,
      { cause: error, context: { approvalId: approval.approvalId, reopened } },
    );
  }
  logger.info('decision taken', { approvalId: approval.approvalId, decision, decidedBy, executionArn: approval.executionArn, findingId: approval.findingId });
  return decided;
}

/** Resume the waiting task, retrying what is worth retrying (throttling, 5xx) with a short backoff. */
async function resume(sfn: SFNClient, action: SlackAction, decided: ApprovalItem, decision: string, decidedBy: string): Promise<void> {
  const command =
    action === 'reject'
      ? new SendTaskFailureCommand({ taskToken: decided.taskToken, error: APPROVAL_REJECTED, cause: JSON.stringify({ decidedBy, decidedAt: decided.decidedAt }) })
      : new SendTaskSuccessCommand({
          taskToken: decided.taskToken,
          // An Approve carries the exact plan the approver saw: Apply writes it, or nothing.
          output: JSON.stringify({ outcome: decision, decidedBy, decidedAt: decided.decidedAt, ...(decided.plan ? { plan: decided.plan } : {}) }),
        });
  for (let attempt = 1; ; attempt += 1) {
    try {
      await sfn.send(command as SendTaskSuccessCommand);
      return;
    } catch (error) {
      if (NO_LONGER_WAITING.has((error as Error).name) || attempt >= RESUME_ATTEMPTS || !(toRemediatorError(error, 'resuming') instanceof TransientAwsError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}
