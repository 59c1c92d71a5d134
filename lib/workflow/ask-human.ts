/**
 * Request Approval and Escalate To On-Call share this: the task token is stored
 * under an opaque approval id (the message only carries the id), then the request
 * goes out. With Slack configured and a channel routed, it is posted in Slack and
 * its coordinates kept so the decision can update it. Without Slack, it is published
 * to the approval SNS topic with signed links (lib/escalation/approval-link.ts) that
 * the same interaction endpoint serves.
 */
import type { SlackApi } from '../escalation/slack-api';
import { approvalLink } from '../escalation/approval-link';
import { publishToTopic, type Topic } from '../escalation/publish-text';
import { type ApprovalItem, type ApprovalKind, type ApprovalStore, approvalIdFor } from '../escalation/approval-store';
import type { SlackAction, SlackMessage } from '../escalation/messages';
import type { RequestView } from '../escalation/request-view';
import { textRequestMessage } from '../escalation/text-message';
import { RemediatorError } from '../errors';
import { logger } from '../logger';
import type { DecidedState } from './state';

/** Where approval requests go when Slack is not configured. */
/** The SNS fallback's delivery: the approval topic, and how its links are signed. */
export interface LinkDelivery extends Topic {
  /** The public URL of the interaction endpoint (the HTTP API), without a trailing path. */
  baseUrl: string;
  signingKey: () => Promise<string>;
}

export interface AskDeps {
  approvals: ApprovalStore;
  slack: () => Promise<SlackApi>;
  /** False when no Slack secret is configured: requests then go out as signed links (`links`). Default true. */
  slackConfigured?: boolean;
  links?: LinkDelivery | null;
  now?: () => number;
}

export interface Ask {
  kind: ApprovalKind;
  state: DecidedState;
  execution: string;
  taskToken: string | undefined;
  timeoutSeconds: number;
  message: (approvalId: string) => SlackMessage;
  /** The facts of the request, for the plain-text rendering of the link delivery. */
  view: RequestView;
  /** The title of the request and the answers it offers, as links. */
  title: string;
  answers: { action: SlackAction; label: string }[];
  extra?: string[];
  plan?: ApprovalItem['plan'];
}

export async function askHuman(ask: Ask, deps: AskDeps): Promise<{ approvalId: string }> {
  const { state } = ask;
  if (!ask.taskToken) throw new RemediatorError(`asking a human (${ask.kind}) needs the task token: the Task must be .waitForTaskToken`);
  const channel = state.decision.route.slackChannel;
  const viaSlack = (deps.slackConfigured ?? true) && Boolean(channel);
  if (!viaSlack && !deps.links) {
    throw new RemediatorError(
      deps.slackConfigured === false
        ? `Slack is not configured and no approval topic is set (REMEDIATOR_APPROVAL_TOPIC_ARN, REMEDIATOR_APPROVAL_LINK_BASE_URL, REMEDIATOR_APPROVAL_LINK_SECRET_ID): nobody can be asked`
        : `no Slack channel routed for account ${state.finding.resource.accountId}`,
    );
  }
  // One approval per wait: a retry of this task (same token) finds the one its earlier attempt stored.
  const approvalId = approvalIdFor(ask.taskToken);
  const nowMs = deps.now?.() ?? Date.now();
  const { item: stored, created } = await deps.approvals.putOrGet({
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
    ...(viaSlack ? {} : { via: 'link' as const }),
    ...(ask.plan ? { plan: ask.plan } : {}),
  });
  if (!created && stored.messageTs) {
    // The earlier attempt posted and noted its message: nothing is left to do.
    logger.info('human already asked by an earlier attempt', { kind: ask.kind, approvalId, executionArn: ask.execution });
    return { approvalId };
  }
  if (viaSlack) {
    const slack = await deps.slack();
    const posted = await slack.chat.postMessage({ channel: channel as string, ...ask.message(approvalId) });
    if (posted.ts && posted.channel) await deps.approvals.setMessage(approvalId, posted.channel, posted.ts);
  } else {
    // The same links as an earlier attempt's, if any (same id, same expiry).
    await publishWithLinks(ask, approvalId, stored.expiresAt, deps.links as LinkDelivery);
  }
  logger.info('human asked', { kind: ask.kind, via: viaSlack ? 'slack' : 'link', approvalId, findingId: state.finding.id, executionArn: ask.execution });
  return { approvalId };
}

async function publishWithLinks(ask: Ask, approvalId: string, expires: number, links: LinkDelivery): Promise<void> {
  const key = await links.signingKey();
  const message = textRequestMessage({
    title: ask.title,
    view: ask.view,
    approvalId,
    expiresAt: new Date(expires * 1000).toISOString(),
    extra: ask.extra,
    links: ask.answers.map(({ action, label }) => ({ action, label, url: approvalLink(links.baseUrl, { approvalId, action, expires }, key) })),
  });
  await publishToTopic(links, message, `approval ${approvalId}`);
}
