/**
 * Slack Block Kit messages. Buttons carry only the opaque approval id; the
 * task token never leaves the approvals table.
 */
import type { KnownBlock } from '@slack/web-api';
import type { Finding } from '../finding';
import { outcomeOf, type RunState } from '../outcome';

export const SLACK_BUTTONS = {
  approve: 'remediator_approve',
  reject: 'remediator_reject',
  acknowledge: 'remediator_acknowledge',
  rollback: 'remediator_rollback',
} as const;
export type SlackAction = keyof typeof SLACK_BUTTONS;
export const actionFromId = (actionId: string): SlackAction | undefined =>
  (Object.keys(SLACK_BUTTONS) as SlackAction[]).find((key) => SLACK_BUTTONS[key] === actionId);

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

function findingFields(finding: Finding): KnownBlock {
  const exposure = finding.exposure
    ? `${finding.exposure.isPublic ? '*public*' : 'cross-account'}${finding.exposure.principals.length ? ` to ${finding.exposure.principals.join(', ')}` : ''}`
    : 'n/a';
  return {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Resource*\n\`${finding.resource.arn}\`` },
      { type: 'mrkdwn', text: `*Account / region*\n${finding.resource.accountId} / ${finding.resource.region}` },
      { type: 'mrkdwn', text: `*Finding*\n${finding.source} · ${finding.type} · ${finding.severity}` },
      { type: 'mrkdwn', text: `*Exposure*\n${exposure}` },
    ],
  };
}

export function approvalRequestMessage(state: Required<Pick<RunState, 'finding' | 'decision'>> & RunState, approvalId: string, planSummary: string): SlackMessage {
  const { finding, decision } = state;
  return {
    text: `Approval needed: ${decision.controlId} on ${finding.resource.arn}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Remediation needs your approval' } },
      findingFields(finding),
      { type: 'section', text: { type: 'mrkdwn', text: `*Planned change* (${decision.controlId})\n${planSummary}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Rule: ${decision.ruleId} · approval ${approvalId}` }] },
      {
        type: 'actions',
        block_id: 'remediator_decision',
        elements: [
          { type: 'button', action_id: SLACK_BUTTONS.approve, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: approvalId },
          { type: 'button', action_id: SLACK_BUTTONS.reject, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: approvalId },
        ],
      },
    ],
  };
}

export function onCallMessage(state: Required<Pick<RunState, 'finding' | 'decision'>> & RunState, approvalId: string): SlackMessage {
  const { finding } = state;
  const canRollBack = Boolean(state.change?.changeId);
  return {
    text: `Finding still open after remediation: ${finding.resource.arn}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Finding still open after remediation' } },
      findingFields(finding),
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*Last check*\n${state.verification?.reason ?? 'n/a'}\n*Change*\n${state.change?.summary ?? 'none'}` },
      },
      {
        type: 'actions',
        block_id: 'remediator_escalation',
        elements: [
          { type: 'button', action_id: SLACK_BUTTONS.acknowledge, style: 'primary', text: { type: 'plain_text', text: 'Acknowledge' }, value: approvalId },
          ...(canRollBack
            ? [{ type: 'button' as const, action_id: SLACK_BUTTONS.rollback, style: 'danger' as const, text: { type: 'plain_text' as const, text: 'Roll back' }, value: approvalId }]
            : []),
        ],
      },
    ],
  };
}

export function decidedMessage(original: { text: string }, decision: string, decidedBy: string): SlackMessage {
  // A Slack user id is mentioned; anything else (the source that resolved the finding) is named.
  const who = /^[UW][A-Z0-9]+$/.test(decidedBy) ? `<@${decidedBy}>` : `the ${decidedBy}`;
  return {
    text: `${original.text} — ${decision} by ${who}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: original.text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `*${decision}* by ${who} at ${new Date().toISOString()}` }] },
    ],
  };
}

export function outcomeMessage(state: RunState, executionArn: string): SlackMessage {
  const { outcome, headline } = outcomeOf(state);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${outcome}* — ${headline}` } }];
  if (state.finding) blocks.push(findingFields(state.finding));
  if (state.error) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Error*\n\`${state.error.Error}\`: ${state.error.Cause.slice(0, 500)}` } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Execution ${executionArn}` }] });
  return { text: `${outcome}: ${headline}`, blocks };
}
