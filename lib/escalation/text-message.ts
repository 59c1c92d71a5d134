/**
 * The plain-text rendering of a request (the SNS fallback: e-mail and other subscribers),
 * with the signed links that answer it. Same facts as the Slack message (request-view.ts).
 */
import { outcomeOf, type RunState } from '../outcome';
import type { SlackAction } from './messages';
import { capLines } from './lines';
import type { RequestView } from './request-view';

/** SNS limits: a subject of at most 100 printable characters on one line; a message of at most 256 KB. */
export const SNS_LIMITS = { subject: 100, messageBytes: 256 * 1024 } as const;

export interface TextMessage {
  subject: string;
  body: string;
}

export interface TextLink {
  action: SlackAction;
  label: string;
  url: string;
}

function subjectOf(text: string): string {
  const oneLine = text.replace(/[^\x20-\x7e]/g, ' ').replace(/\s+/g, ' ').trim();
  return oneLine.length <= SNS_LIMITS.subject ? oneLine : `${oneLine.slice(0, SNS_LIMITS.subject - 3)}...`;
}

const list = (lines: readonly string[], empty: string): string => (lines.length ? capLines(lines).map((line) => `  - ${line}`).join('\n') : `  (${empty})`);

export function textRequestMessage(args: { title: string; view: RequestView; links: TextLink[]; expiresAt: string; approvalId: string; extra?: string[] }): TextMessage {
  const { view } = args;
  const f = view.finding;
  const sections = [
    args.title,
    [
      `Resource: ${f.resourceArn} (${f.resourceType})`,
      `Account:  ${f.accountName ? `${f.accountName} (${f.accountId})` : f.accountId} / ${f.region}`,
      `Finding:  ${f.source} · ${f.type} · ${f.severity}`,
      `Since:    ${f.since} (first observed)`,
    ].join('\n'),
    `Who could reach it:\n${list(view.reach, 'the source reported no principals and no policy was read')}`,
    ...view.notes,
  ];
  if (view.plan) {
    const plan = view.plan;
    sections.push(`Planned change (${plan.controlId}):\n${plan.summary}`);
    sections.push(
      `The change, as a diff:\n${plan.diff || '(no field changes)'}\n${plan.truncated ? `(${plan.omitted} more lines not shown.) ` : ''}Full plan: ${plan.fullPlan}`,
    );
    sections.push(`Who loses access:\n${list(plan.losesAccess, 'nobody: the change removes no access')}`);
  }
  sections.push(...(args.extra ?? []));
  sections.push(args.links.map((link) => `${link.label}: ${link.url}`).join('\n'));
  sections.push(
    `These links expire at ${args.expiresAt}. Opening one shows a confirmation page; the first decision confirmed wins and the others are refused.\n` +
      `Rule ${view.ruleId} · ${args.approvalId} · execution ${view.executionArn}`,
  );
  let body = sections.join('\n\n');
  if (Buffer.byteLength(body) > SNS_LIMITS.messageBytes) body = `${body.slice(0, SNS_LIMITS.messageBytes / 4)}\n…\n\n${sections.slice(-2).join('\n\n')}`;
  return { subject: subjectOf(`${args.title}: ${f.resourceArn}`), body };
}

/** How a run ended, as plain text (the next level without Slack). */
export function outcomeText(state: RunState, executionArn: string): TextMessage {
  const { outcome, headline } = outcomeOf(state);
  const lines = [`${outcome}: ${headline}`];
  if (state.finding) {
    const f = state.finding;
    lines.push(`Resource: ${f.resource.arn} (${f.resource.type})`, `Account:  ${f.resource.accountId} / ${f.resource.region}`, `Finding:  ${f.source} · ${f.type} · ${f.severity}`, `Since:    ${f.observedAt} (first observed)`);
  }
  if (state.error) lines.push(`Error: ${state.error.Error}: ${state.error.Cause.slice(0, 500)}`);
  lines.push(`Execution: ${executionArn} (remediate status ${executionArn})`);
  return { subject: subjectOf(`${outcome}: ${state.finding?.resource.arn ?? headline}`), body: lines.join('\n') };
}
