/**
 * The Slack interaction endpoint: verify the signature and the timestamp
 * window, check that the click comes from our workspace and our app, check the
 * clicker against the approvers (none configured: nobody may decide), take the
 * decision exactly once, resume the execution, and update the message with who
 * decided. Deciding and resuming are one recoverable step: a resume that still
 * fails after retries returns the approval to PENDING, so the person can click
 * again instead of the execution timing out on a decision that was used up.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { toRemediatorError } from '../aws/errors';
import type { ApprovalItem, ApprovalStore } from '../escalation/approval-store';
import { actionFromId, decidedMessage, type SlackAction } from '../escalation/messages';
import { assertValidSlackRequest } from '../escalation/slack-signature';
import { APPROVAL_REJECTED, ApprovalNotPendingError, InvalidSlackRequestError, RemediatorError, TransientAwsError, UnauthorizedApproverError, describeError } from '../errors';
import { logger } from '../logger';

const InteractionSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() }),
  team: z.object({ id: z.string().min(1) }),
  api_app_id: z.string().min(1),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().regex(/^apr_[0-9a-f]{32}$/) })).min(1),
  message: z.object({ text: z.string().optional() }).optional(),
});

export interface InteractionRequest {
  rawBody: string;
  headers: Record<string, string | undefined>;
}

export interface InteractionDeps {
  signingSecret: string;
  /** The only workspace and Slack app whose clicks count. */
  workspace: { teamId: string; appId: string };
  approvals: ApprovalStore;
  sfn: SFNClient;
  slack: () => Promise<WebClient>;
  nowMs?: number;
}

export interface InteractionResponse {
  statusCode: number;
  body: string;
}

/** The execution could not be resumed (after retries): the click gets 503 and, when reopened, can be repeated. */
class ResumeFailedError extends RemediatorError {
  override readonly name = 'ResumeFailedError';
}

const RESUME_ATTEMPTS = 3;

/** Resume the waiting task, retrying what is worth retrying (throttling, 5xx) with a short backoff. */
async function resume(sfn: SFNClient, action: SlackAction, decided: ApprovalItem, decision: string, userId: string): Promise<void> {
  const command =
    action === 'reject'
      ? new SendTaskFailureCommand({ taskToken: decided.taskToken, error: APPROVAL_REJECTED, cause: JSON.stringify({ decidedBy: userId, decidedAt: decided.decidedAt }) })
      : new SendTaskSuccessCommand({
          taskToken: decided.taskToken,
          // An Approve carries the exact plan the approver saw: Apply writes it, or nothing.
          output: JSON.stringify({ outcome: decision, decidedBy: userId, decidedAt: decided.decidedAt, ...(decided.plan ? { plan: decided.plan } : {}) }),
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

/** What Step Functions answers when the task behind a token is gone. */
const NO_LONGER_WAITING = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

const DECISION_OF: Record<SlackAction, string> = { approve: 'APPROVED', reject: 'REJECTED', acknowledge: 'ACKNOWLEDGED', rollback: 'ROLL_BACK' };
const KIND_OF: Record<SlackAction, 'approval' | 'on-call'> = { approve: 'approval', reject: 'approval', acknowledge: 'on-call', rollback: 'on-call' };

export async function handleSlackInteraction(request: InteractionRequest, deps: InteractionDeps): Promise<InteractionResponse> {
  try {
    assertValidSlackRequest({ signingSecret: deps.signingSecret, rawBody: request.rawBody, headers: request.headers, nowMs: deps.nowMs });
  } catch (error) {
    logger.warn('rejected Slack request', { reason: (error as Error).message });
    return { statusCode: 401, body: (error as Error).message };
  }
  try {
    return await decide(request.rawBody, deps);
  } catch (error) {
    logger.warn('refused Slack click', { error: describeError(error) });
    if (error instanceof UnauthorizedApproverError) return { statusCode: 403, body: error.message };
    if (error instanceof ResumeFailedError) return { statusCode: 503, body: error.message };
    if (error instanceof ApprovalNotPendingError) return { statusCode: 409, body: error.message };
    if (error instanceof InvalidSlackRequestError) return { statusCode: 400, body: error.message };
    throw error;
  }
}

async function decide(rawBody: string, deps: InteractionDeps): Promise<InteractionResponse> {
  const payloadText = new URLSearchParams(rawBody).get('payload');
  let payloadJson: unknown;
  try {
    payloadJson = JSON.parse(payloadText ?? '');
  } catch {
    throw new InvalidSlackRequestError('the body has no JSON "payload" field');
  }
  const parsed = InteractionSchema.safeParse(payloadJson);
  if (!parsed.success) throw new InvalidSlackRequestError(`not a Remediator button click: ${parsed.error.issues[0]?.message ?? 'invalid payload'}`);
  const interaction = parsed.data;
  if (interaction.team.id !== deps.workspace.teamId || interaction.api_app_id !== deps.workspace.appId) {
    throw new UnauthorizedApproverError(`this click comes from workspace ${interaction.team.id} / app ${interaction.api_app_id}, not from the configured ${deps.workspace.teamId} / ${deps.workspace.appId}`);
  }
  const clicked = interaction.actions[0]!;
  const action = actionFromId(clicked.action_id);
  if (!action) throw new InvalidSlackRequestError(`unknown action ${clicked.action_id}`);

  const approval = await deps.approvals.get(clicked.value);
  if (!approval) throw new ApprovalNotPendingError(`approval ${clicked.value} does not exist`);
  if (approval.kind !== KIND_OF[action]) throw new InvalidSlackRequestError(`${action} is not an answer to a ${approval.kind} request`);
  const userId = interaction.user.id;
  if (approval.approvers.length === 0) {
    throw new UnauthorizedApproverError(`no approvers are configured for account ${approval.accountId}: nobody may decide (name them in the rules file's route)`);
  }
  if (!approval.approvers.includes(userId)) {
    logger.warn('click from someone who is not an approver', { approvalId: approval.approvalId, userId, accountId: approval.accountId });
    throw new UnauthorizedApproverError(`<@${userId}> is not an approver for account ${approval.accountId}`);
  }
  const decision = DECISION_OF[action];
  const decided = await deps.approvals.decide(approval.approvalId, decision, userId, deps.nowMs ? new Date(deps.nowMs) : new Date());
  try {
    await resume(deps.sfn, action, decided, decision, userId);
  } catch (error) {
    if (NO_LONGER_WAITING.has((error as Error).name)) {
      throw new ApprovalNotPendingError(`the workflow is no longer waiting for this decision (${(error as Error).name}): it timed out or was stopped`, {
        cause: error,
        context: { approvalId: approval.approvalId, executionArn: approval.executionArn },
      });
    }
    // The decision must not be used up by a resume that did not happen: give it back so the person can click again.
    const reopened = await deps.approvals.reopen(approval.approvalId, userId, decided.decidedAt ?? '').catch(() => false);
    logger.error('could not resume the execution', { approvalId: approval.approvalId, executionArn: approval.executionArn, reopened, error: describeError(error) });
    throw new ResumeFailedError(
      reopened
        ? `Remediator could not resume the workflow (${describeError(error).name}); your decision was not used: click again`
        : `Remediator could not resume the workflow (${describeError(error).name})`,
      { cause: error, context: { approvalId: approval.approvalId, reopened } },
    );
  }
  logger.info('decision taken', { approvalId: approval.approvalId, decision, userId, executionArn: approval.executionArn, findingId: approval.findingId });
  if (approval.channel && approval.messageTs) {
    const slack = await deps.slack();
    await slack.chat
      .update({ channel: approval.channel, ts: approval.messageTs, ...decidedMessage({ text: interaction.message?.text ?? `Remediation of ${approval.resourceArn}` }, decision, userId) })
      .catch((error: unknown) => logger.warn('could not update the Slack message', { error: (error as Error).message }));
  }
  return { statusCode: 200, body: '' };
}

