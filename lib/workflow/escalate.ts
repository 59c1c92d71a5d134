/**
 * Request Approval / Escalate To On-Call / Escalate To Next Level.
 * The task token is stored under an opaque approval id; Slack sees only the id.
 */
import { SendTaskFailureCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { WebClient } from '@slack/web-api';
import type { AwsClients } from '../aws/clients';
import { planChange } from '../controls/runner';
import { type ApprovalKind, type ApprovalStore, newApprovalId } from '../escalation/approval-store';
import { approvalRequestMessage, decidedMessage, onCallMessage, outcomeMessage } from '../escalation/messages';
import { FINDING_RESOLVED, RemediatorError } from '../errors';
import { logger } from '../logger';
import type { RunState } from '../outcome';
import type { RulesFile } from '../rules/schema';
import { controlContext } from './context';
import type { TaskInput } from './types';

export interface EscalateDeps {
  rules: RulesFile;
  approvals: ApprovalStore;
  slack: () => Promise<WebClient>;
  remediationRoleArn: string | null;
  clients: AwsClients;
  sfn?: () => SFNClient;
}

export type EscalateInput = TaskInput & ({ kind: ApprovalKind; taskToken: string } | { kind: 'next-level' } | { kind: 'close' });

export async function escalate(input: EscalateInput, deps: EscalateDeps): Promise<{ approvalId?: string; state?: RunState }> {
  const { state } = input;
  if (!state.finding || !state.decision) throw new RemediatorError('nothing to escalate: the workflow state has no finding');
  const route = state.decision.route;
  const slack = await deps.slack();

  if (input.kind === 'close') {
    return { state: { ...state, closed: await closeOpenRemediations(state.finding.id, deps, slack) } };
  }

  if (input.kind === 'next-level') {
    const channel = route.nextLevel?.slackChannel ?? route.slackChannel;
    if (channel) await slack.chat.postMessage({ channel, ...outcomeMessage({ ...state, escalation: { Error: 'States.Timeout', nextLevel: true } }, input.execution) });
    return { state: { ...state, escalation: { ...(state.escalation ?? {}), Error: 'States.Timeout', nextLevel: true } } };
  }

  const channel = route.slackChannel;
  if (!channel) throw new RemediatorError(`no Slack channel routed for account ${state.finding.resource.accountId}`);
  const approvalId = newApprovalId();
  const timeoutSeconds = input.kind === 'approval' ? state.decision.approval.timeoutSeconds : state.decision.escalation.timeoutSeconds;
  const nowMs = Date.now();
  await deps.approvals.put({
    approvalId,
    kind: input.kind,
    taskToken: input.taskToken,
    executionArn: input.execution,
    findingId: state.finding.id,
    resourceArn: state.finding.resource.arn,
    accountId: state.finding.resource.accountId,
    controlId: state.decision.controlId,
    changeId: state.change?.changeId ?? null,
    approvers: route.approvers,
    status: 'PENDING',
    createdAt: new Date(nowMs).toISOString(),
    expiresAt: Math.floor(nowMs / 1000) + timeoutSeconds,
  });
  let message;
  if (input.kind === 'approval') {
    const { finding, decision } = state;
    const plan = await planChange(decision.controlId ?? '', controlContext(finding, deps.rules, deps.remediationRoleArn, deps.clients));
    message = approvalRequestMessage({ ...state, finding, decision }, approvalId, plan.summary);
  } else {
    message = onCallMessage({ ...state, finding: state.finding, decision: state.decision }, approvalId);
  }
  const posted = await slack.chat.postMessage({ channel, ...message });
  if (posted.ts && posted.channel) await deps.approvals.setMessage(approvalId, posted.channel, posted.ts);
  logger.info('human asked', { kind: input.kind, approvalId, findingId: state.finding.id, executionArn: input.execution });
  return { approvalId };
}

/**
 * The source reports the finding resolved (a Config COMPLIANT, say): every approval or
 * escalation still waiting for it is decided by the source, exactly once, and its
 * execution resumed with FindingResolved, which the ASL routes to Notify.
 */
async function closeOpenRemediations(findingId: string, deps: EscalateDeps, slack: WebClient): Promise<string[]> {
  if (!deps.sfn) throw new RemediatorError('closing open remediations needs a Step Functions client');
  const closed: string[] = [];
  for (const pending of await deps.approvals.pendingForFinding(findingId)) {
    const decided = await deps.approvals.decide(pending.approvalId, 'RESOLVED_AT_SOURCE', 'source').catch((error: unknown) => {
      if ((error as Error).name === 'ApprovalNotPendingError') return null; // a human was quicker
      throw error;
    });
    if (!decided) continue;
    await deps
      .sfn()
      .send(new SendTaskFailureCommand({ taskToken: decided.taskToken, error: FINDING_RESOLVED, cause: JSON.stringify({ findingId, decidedBy: 'source' }) }))
      .catch((error: unknown) => logger.warn('the waiting execution was already gone', { approvalId: pending.approvalId, error: (error as Error).name }));
    if (decided.channel && decided.messageTs) {
      await slack.chat
        .update({ channel: decided.channel, ts: decided.messageTs, ...decidedMessage({ text: `Remediation of ${decided.resourceArn}` }, 'RESOLVED AT THE SOURCE', 'source') })
        .catch((error: unknown) => logger.warn('could not update the Slack message', { error: (error as Error).message }));
    }
    closed.push(pending.approvalId);
  }
  logger.info('closed open remediations', { findingId, closed: closed.length });
  return closed;
}
