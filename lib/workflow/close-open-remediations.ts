/**
 * Close Open Remediations: the source reports the finding resolved (a Config
 * COMPLIANT, say): every approval or escalation still waiting for it is decided
 * by the source, exactly once, and its execution resumed with FindingResolved,
 * which the ASL routes to Record And Notify.
 */
import { SendTaskFailureCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { SlackApi } from '../escalation/slack-api';
import type { ApprovalStore } from '../escalation/approval-store';
import { decidedMessage } from '../escalation/messages';
import { ApprovalNotPendingError, FINDING_RESOLVED } from '../errors';
import { logger } from '../logger';
import { approvalStore } from '../runtime/approvals';
import { sfnClient } from '../runtime/sfn';
import { slack } from '../runtime/slack';
import { defineTask } from './dispatch';
import { DecidedStateSchema, type DecidedState, type RunState } from './state';
import type { TaskInput } from './types';

export interface CloseDeps {
  approvals: ApprovalStore;
  sfn: () => SFNClient;
  slack: () => Promise<SlackApi>;
}

export async function closeOpenRemediations(input: TaskInput<DecidedState>, deps: CloseDeps): Promise<RunState> {
  const findingId = input.state.finding.id;
  const closed: string[] = [];
  for (const pending of await deps.approvals.pendingForFinding(findingId)) {
    const decided = await deps.approvals.decide(pending.approvalId, 'RESOLVED_AT_SOURCE', 'source').catch((error: unknown) => {
      if (error instanceof ApprovalNotPendingError) return null; // a human was quicker
      throw error;
    });
    if (!decided) continue;
    await deps
      .sfn()
      .send(new SendTaskFailureCommand({ taskToken: decided.taskToken, error: FINDING_RESOLVED, cause: JSON.stringify({ findingId, decidedBy: 'source' }) }))
      .catch((error: unknown) => logger.warn('the waiting execution was already gone', { approvalId: pending.approvalId, error: (error as Error).name }));
    if (decided.channel && decided.messageTs) {
      const client = await deps.slack();
      await client.chat
        .update({ channel: decided.channel, ts: decided.messageTs, ...decidedMessage({ text: `Remediation of ${decided.resourceArn}` }, 'RESOLVED AT THE SOURCE', 'source') })
        .catch((error: unknown) => logger.warn('could not update the Slack message', { error: (error as Error).message }));
    }
    closed.push(pending.approvalId);
  }
  logger.info('closed open remediations', { findingId, closed: closed.length });
  return { ...input.state, closed };
}

export const closeOpenRemediationsTask = defineTask('close-open-remediations', DecidedStateSchema, (input) =>
  closeOpenRemediations(input, { approvals: approvalStore(), sfn: sfnClient, slack }),
);
