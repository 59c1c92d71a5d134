/**
 * The Slack interaction endpoint: verify the signature and the timestamp
 * window, check that the click comes from our workspace and our app, check the
 * clicker against the approvers (none configured: nobody may decide), take the
 * decision exactly once, resume the execution, and update the message with who
 * decided and when (lib/escalation/decide.ts: exactly once, and a resume that
 * fails after retries gives the decision back so the person can click again).
 * An approval sent as signed links (no Slack) is not answered here.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SlackApi } from '../escalation/slack-api';
import * as z from 'zod';
import type { ApprovalStore } from '../escalation/approval-store';
import { DECISION_OF, ResumeFailedError, assertAnswers, decideAndResume } from '../escalation/decide';
import { actionFromId, decidedMessage } from '../escalation/messages';
import { assertValidSlackRequest } from '../escalation/slack-signature';
import { ApprovalNotPendingError, InvalidSlackRequestError, UnauthorizedApproverError, describeError } from '../errors';
import { logger } from '../logger';

const InteractionSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() }),
  team: z.object({ id: z.string().min(1) }),
  api_app_id: z.string().min(1),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().regex(/^apr_[0-9a-f]{32}$/) })).min(1),
  /** The message as Slack shows it: updated after the decision, without its buttons. */
  message: z.object({ text: z.string().optional(), blocks: z.array(z.record(z.string(), z.unknown())).max(50).optional() }).optional(),
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
  slack: () => Promise<SlackApi>;
  nowMs?: number;
}

export interface InteractionResponse {
  statusCode: number;
  body: string;
}

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
  if (approval.via === 'link') throw new UnauthorizedApproverError(`approval ${approval.approvalId} was sent as signed links, not to Slack: it is answered by its link`);
  assertAnswers(approval, action);
  const userId = interaction.user.id;
  if (approval.approvers.length === 0) {
    throw new UnauthorizedApproverError(`no approvers are configured for account ${approval.accountId}: nobody may decide (name them in the rules file's route)`);
  }
  if (!approval.approvers.includes(userId)) {
    logger.warn('click from someone who is not an approver', { approvalId: approval.approvalId, userId, accountId: approval.accountId });
    throw new UnauthorizedApproverError(`<@${userId}> is not an approver for account ${approval.accountId}`);
  }
  const decided = await decideAndResume(approval, action, userId, deps);
  if (approval.channel && approval.messageTs) {
    const slack = await deps.slack();
    const original = { text: interaction.message?.text ?? `Remediation of ${approval.resourceArn}`, blocks: interaction.message?.blocks };
    await slack.chat
      .update({ channel: approval.channel, ts: approval.messageTs, ...decidedMessage(original, DECISION_OF[action], userId, decided.decidedAt) })
      .catch((error: unknown) => logger.warn('could not update the Slack message', { error: (error as Error).message }));
  }
  return { statusCode: 200, body: '' };
}

