/**
 * Request Approval and Escalate To On-Call share this: the task token is stored
 * under an opaque approval id (Slack sees only the id), then the message is
 * posted and its coordinates kept so the decision can update it.
 */
import type { WebClient } from '@slack/web-api';
import { type ApprovalItem, type ApprovalKind, type ApprovalStore, newApprovalId } from '../escalation/approval-store';
import type { SlackMessage } from '../escalation/messages';
import { RemediatorError } from '../errors';
import { logger } from '../logger';
import type { DecidedState } from './state';

export interface AskDeps {
  approvals: ApprovalStore;
  slack: () => Promise<WebClient>;
  now?: () => number;
}

export interface Ask {
  kind: ApprovalKind;
  state: DecidedState;
  execution: string;
  taskToken: string | undefined;
  timeoutSeconds: number;
  message: (approvalId: string) => SlackMessage;
  plan?: ApprovalItem['plan'];
}

export async function askHuman(ask: Ask, deps: AskDeps): Promise<{ approvalId: string }> {
  const { state } = ask;
  if (!ask.taskToken) throw new RemediatorError(`asking a human (${ask.kind}) needs the task token: the Task must be .waitForTaskToken`);
  const channel = state.decision.route.slackChannel;
  if (!channel) throw new RemediatorError(`no Slack channel routed for account ${state.finding.resource.accountId}`);
  const approvalId = newApprovalId();
  const nowMs = deps.now?.() ?? Date.now();
  await deps.approvals.put({
    approvalId,
    kind: ask.kind,
    taskToken: ask.taskToken,
    executionArn: ask.execution,
    findingId: state.finding.id,
    resourceArn: state.finding.resource.arn,
    accountId: state.finding.resource.accountId,
    controlId: state.decision.controlId,
    changeId: state.change?.changeId ?? null,
    approvers: state.decision.route.approvers,
    status: 'PENDING',
    createdAt: new Date(nowMs).toISOString(),
    expiresAt: Math.floor(nowMs / 1000) + ask.timeoutSeconds,
    ...(ask.plan ? { plan: ask.plan } : {}),
  });
  const slack = await deps.slack();
  const posted = await slack.chat.postMessage({ channel, ...ask.message(approvalId) });
  if (posted.ts && posted.channel) await deps.approvals.setMessage(approvalId, posted.channel, posted.ts);
  logger.info('human asked', { kind: ask.kind, approvalId, findingId: state.finding.id, executionArn: ask.execution });
  return { approvalId };
}
