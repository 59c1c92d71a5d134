/**
 * Slack Block Kit messages. Buttons carry only the opaque approval id; the
 * task token never leaves the approvals table. A request says what was found,
 * who could reach it, the exact change (a unified diff) and who loses access
 * (request-view.ts), within Slack's limits: a section's text ≤ 3000 characters,
 * a field ≤ 2000, a header ≤ 150, at most 50 blocks.
 */
import type { KnownBlock } from '@slack/types';
import type { Finding } from '../finding';
import { outcomeOf, type RunState } from '../outcome';
import { capLines } from './lines';
import type { FindingFacts, RequestView } from './request-view';

export const SLACK_BUTTONS = {
  approve: 'remediator_approve',
  reject: 'remediator_reject',
  acknowledge: 'remediator_acknowledge',
  rollback: 'remediator_rollback',
} as const;
export type SlackAction = keyof typeof SLACK_BUTTONS;
export const actionFromId = (actionId: string): SlackAction | undefined =>
  (Object.keys(SLACK_BUTTONS) as SlackAction[]).find((key) => SLACK_BUTTONS[key] === actionId);

/** Slack's documented limits (Block Kit reference). */
export const SLACK_LIMITS = { sectionText: 3000, fieldText: 2000, fields: 10, headerText: 150, blocks: 50, fallbackText: 3000 } as const;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Slack mrkdwn needs &, < and > escaped, everywhere (code blocks too). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut to `max` characters, saying so. */
export function clamp(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clamp(text, SLACK_LIMITS.sectionText) } });
const field = (title: string, body: string) => ({ type: 'mrkdwn' as const, text: clamp(`*${title}*\n${body}`, SLACK_LIMITS.fieldText) });
const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: clamp(text, SLACK_LIMITS.headerText) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clamp(text, SLACK_LIMITS.fieldText) }] });

/**
 * A code block that fits in one section with its title: whole lines are dropped from the end until it does,
 * and the last line says how many. The fence cannot be broken by the content.
 */
export function codeSection(title: string, code: string, note: string): KnownBlock {
  const fence = '```';
  const lines = escapeMrkdwn(code.replace(/```/g, '`\u200b``')).split('\n');
  const render = (kept: string[], cut: number) => `${title}\n${fence}\n${[...kept, ...(cut ? [`… ${cut} more lines (cut to fit in Slack)`] : [])].join('\n')}\n${fence}${note ? `\n${note}` : ''}`;
  let kept = lines;
  while (kept.length > 1 && render(kept, lines.length - kept.length).length > SLACK_LIMITS.sectionText) kept = kept.slice(0, -1);
  // A single line longer than a section: cut it.
  const text = render(kept, lines.length - kept.length);
  if (text.length <= SLACK_LIMITS.sectionText) return section(text);
  const room = SLACK_LIMITS.sectionText - render([''], lines.length - 1).length - 1;
  return section(render([`${(kept[0] ?? '').slice(0, Math.max(0, room))}…`], lines.length - 1));
}

function factFields(facts: FindingFacts): KnownBlock {
  const account = facts.accountName ? `${escapeMrkdwn(facts.accountName)} (${facts.accountId})` : facts.accountId;
  return {
    type: 'section',
    fields: [
      field('Resource', `\`${escapeMrkdwn(facts.resourceArn)}\`\n${escapeMrkdwn(facts.resourceType)}`),
      field('Account / region', `${account} / ${escapeMrkdwn(facts.region)}`),
      field('Finding', `${escapeMrkdwn(facts.source)} · ${escapeMrkdwn(facts.type)} · ${facts.severity}`),
      field('Since', `${facts.since} (first observed)`),
    ],
  };
}

function listSection(title: string, lines: readonly string[], empty: string): KnownBlock {
  const shown = capLines(lines);
  return section(`*${title}*\n${shown.length ? shown.map((line) => `• ${escapeMrkdwn(line)}`).join('\n') : `_${empty}_`}`);
}

/** The blocks every request shares: what was found, who could reach it, the change, who loses it. */
function requestBlocks(view: RequestView): KnownBlock[] {
  const blocks: KnownBlock[] = [factFields(view.finding), listSection('Who could reach it', view.reach, 'the source reported no principals and no policy was read')];
  for (const note of view.notes) blocks.push(section(`_${escapeMrkdwn(note)}_`));
  if (view.plan) {
    const plan = view.plan;
    const pointer = `Full plan: \`${escapeMrkdwn(plan.fullPlan)}\``;
    blocks.push(section(`*Planned change* (\`${plan.controlId}\`)\n${escapeMrkdwn(plan.summary)}`));
    blocks.push(
      plan.diff
        ? codeSection('*The change, as a diff*', plan.diff, plan.truncated ? `${plan.omitted} more lines not shown. ${pointer}` : pointer)
        : section(`*The change, as a diff*\n_no field changes_ · ${pointer}`),
    );
    blocks.push(listSection('Who loses access', plan.losesAccess, 'nobody: the change removes no access'));
  }
  return blocks;
}

function buttons(blockId: string, approvalId: string, entries: { action: SlackAction; label: string; style: 'primary' | 'danger' }[]): KnownBlock {
  return {
    type: 'actions',
    block_id: blockId,
    elements: entries.map(({ action, label, style }) => ({ type: 'button' as const, action_id: SLACK_BUTTONS[action], style, text: { type: 'plain_text' as const, text: label }, value: approvalId })),
  };
}

export function approvalRequestMessage(view: RequestView, approvalId: string): SlackMessage {
  const controlId = view.plan?.controlId ?? 'a corrective control';
  return fit({
    text: clamp(`Approval needed: ${controlId} on ${view.finding.resourceArn}`, SLACK_LIMITS.fallbackText),
    blocks: [
      header('Remediation needs your approval'),
      ...requestBlocks(view),
      context(`Rule \`${escapeMrkdwn(view.ruleId)}\` · approval ${approvalId} · execution ${escapeMrkdwn(view.executionArn)}`),
      buttons('remediator_decision', approvalId, [
        { action: 'approve', label: 'Approve', style: 'primary' },
        { action: 'reject', label: 'Reject', style: 'danger' },
      ]),
    ],
  });
}

export interface OnCallFacts {
  lastCheck: string;
  changeSummary: string;
  canRollBack: boolean;
}

export function onCallMessage(view: RequestView, approvalId: string, facts: OnCallFacts): SlackMessage {
  return fit({
    text: clamp(`Finding still open after remediation: ${view.finding.resourceArn}`, SLACK_LIMITS.fallbackText),
    blocks: [
      header('Finding still open after remediation'),
      ...requestBlocks(view),
      section(`*Last check*\n${escapeMrkdwn(facts.lastCheck)}\n*Change made*\n${escapeMrkdwn(facts.changeSummary)}`),
      context(`Rule \`${escapeMrkdwn(view.ruleId)}\` · escalation ${approvalId} · \`remediate status ${escapeMrkdwn(view.executionArn)}\``),
      buttons('remediator_escalation', approvalId, [
        { action: 'acknowledge', label: 'Acknowledge', style: 'primary' },
        ...(facts.canRollBack ? [{ action: 'rollback' as const, label: 'Roll back', style: 'danger' as const }] : []),
      ]),
    ],
  });
}

/** Never more than 50 blocks: the last ones (context, buttons) are kept, the middle gives way. Leaves room for the decision line. */
function fit(message: SlackMessage): SlackMessage {
  const max = SLACK_LIMITS.blocks - 1;
  if (message.blocks.length <= max) return message;
  const tail = message.blocks.slice(-2);
  return { ...message, blocks: [...message.blocks.slice(0, max - 2), ...tail] };
}

/** A Slack user id is mentioned; a link is named as such; anything else (the source that resolved the finding) is named. */
function describeDecider(decidedBy: string): string {
  if (/^[UW][A-Z0-9]+$/.test(decidedBy)) return `<@${decidedBy}>`;
  if (decidedBy.startsWith('link:')) return `an approval link (${escapeMrkdwn(decidedBy)})`;
  return `the ${escapeMrkdwn(decidedBy)}`;
}

/**
 * The original message after a decision: what it said, without its buttons, and who decided and when.
 * `blocks` is the message as Slack shows it (the click's payload carries it); without them, the text alone.
 */
export function decidedMessage(original: { text: string; blocks?: readonly unknown[] }, decision: string, decidedBy: string, decidedAt: string = new Date().toISOString()): SlackMessage {
  const who = describeDecider(decidedBy);
  const kept = (original.blocks ?? []).filter((block): block is KnownBlock => isBlock(block) && block.type !== 'actions');
  const body = kept.length ? kept.slice(0, SLACK_LIMITS.blocks - 1) : [section(escapeMrkdwn(original.text))];
  return {
    text: clamp(`${original.text} — ${decision} by ${who}`, SLACK_LIMITS.fallbackText),
    blocks: [...body, context(`*${decision}* by ${who} at ${decidedAt}`)],
  };
}

function isBlock(value: unknown): value is KnownBlock {
  return Boolean(value) && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string';
}

function findingFields(finding: Finding): KnownBlock {
  const exposure = finding.exposure
    ? `${finding.exposure.isPublic ? '*public*' : 'cross-account'}${finding.exposure.principals.length ? ` to ${escapeMrkdwn(finding.exposure.principals.join(', '))}` : ''}`
    : 'n/a';
  return {
    type: 'section',
    fields: [
      field('Resource', `\`${escapeMrkdwn(finding.resource.arn)}\``),
      field('Account / region', `${finding.resource.accountId} / ${escapeMrkdwn(finding.resource.region)}`),
      field('Finding', `${finding.source} · ${escapeMrkdwn(finding.type)} · ${finding.severity}`),
      field('Exposure', exposure),
    ],
  };
}

export function outcomeMessage(state: RunState, executionArn: string): SlackMessage {
  const { outcome, headline } = outcomeOf(state);
  const blocks: KnownBlock[] = [section(`*${outcome}* — ${escapeMrkdwn(headline)}`)];
  if (state.finding) blocks.push(findingFields(state.finding));
  if (state.error) blocks.push(section(`*Error*\n\`${escapeMrkdwn(state.error.Error)}\`: ${escapeMrkdwn(state.error.Cause.slice(0, 500))}`));
  blocks.push(context(`Execution ${escapeMrkdwn(executionArn)}`));
  return { text: clamp(`${outcome}: ${headline}`, SLACK_LIMITS.fallbackText), blocks };
}
