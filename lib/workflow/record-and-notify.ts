/**
 * Record And Notify: the write-back to Security Hub (when on; it never fails the run), the outcome
 * row, then the message to the finding's route. In this order a retry of the task repeats only the
 * idempotent writes before the one call that is not (posting to Slack), which comes last.
 *
 * The message says what the outcome alone does not: for intended access archived by rule, the
 * Access Analyzer archive rule that would have matched; when an exception matched but expired,
 * which one and when.
 */
import type { KnownBlock } from '@slack/types';
import type { SlackApi } from '../escalation/slack-api';
import type { AuditStore } from '../audit/store';
import { outcomeMessage, type SlackMessage } from '../escalation/messages';
import { publishToTopic, type Topic } from '../escalation/publish-text';
import { outcomeText } from '../escalation/text-message';
import { logger } from '../logger';
import { outcomeOf } from '../outcome';
import { expiredExceptionNote } from '../rules/exceptions';
import type { RuleException } from '../rules/schema';
import { auditStore } from '../runtime/audit';
import { rules } from '../runtime/rules';
import { approvalTopic } from '../runtime/approval-topic';
import { slack, slackConfigured } from '../runtime/slack';
import { archiveRuleText, proposedArchiveRule } from '../writeback/archive-rule';
import { defineTask } from './dispatch';
import { recordWithWriteBack, writeBackDeps, type WriteBackDeps } from './record-outcome';
import { RunStateSchema, type RunState } from './state';
import type { TaskInput } from './types';

export interface NotifyDeps {
  slack: () => Promise<SlackApi>;
  /** False when no Slack secret is configured: the outcome then goes to the approval topic, if any. Default true. */
  slackConfigured?: boolean;
  topic?: Topic | null;
  /** Where a run without a routed finding (rejected input) is told. */
  defaultChannel?: string;
  /** The rules file's exceptions: an expired one that matched is named in the message. */
  exceptions?: readonly RuleException[];
  /** The clock the exceptions are checked against (default: now). */
  now?: () => Date;
}

/**
 * One message shape for every branch, to the route of the finding's account: in Slack, or, when Slack is not
 * configured, as plain text on the approval topic (the route's channel is then only a name in the rules file).
 */
export async function notifyRoute(input: TaskInput, deps: NotifyDeps): Promise<RunState> {
  const { state } = input;
  const channel = state.decision?.route.slackChannel ?? deps.defaultChannel;
  const { outcome } = outcomeOf(state);
  const notes = notesFor(state, deps);
  if ((deps.slackConfigured ?? true) && channel) {
    const message = withNotes(outcomeMessage(state, input.execution), notes);
    const posted = await (await deps.slack()).chat.postMessage({ channel, ...message });
    return { ...state, notification: { outcome, delivered: true, ...(posted.channel ? { channel: posted.channel } : {}), ...(posted.ts ? { ts: posted.ts } : {}) } };
  }
  if (deps.slackConfigured === false && deps.topic) {
    const text = outcomeText(state, input.execution);
    await publishToTopic(deps.topic, notes.length ? { ...text, body: `${text.body}\n\n${notes.join('\n')}` } : text, `the outcome of ${input.execution}`);
    return { ...state, notification: { outcome, delivered: true, topicArn: deps.topic.topicArn } };
  }
  logger.warn(channel ? 'Slack is not configured and no approval topic is set: the outcome is only recorded' : 'no channel to notify', { outcome, executionArn: input.execution });
  return { ...state, notification: { outcome, delivered: false } };
}

/** What the outcome message does not say by itself: the proposed archive rule, an expired exception. */
export function notesFor(state: RunState, deps: Pick<NotifyDeps, 'exceptions' | 'now'>): string[] {
  const notes: string[] = [];
  const { finding, decision } = state;
  if (!finding || !decision || state.error) return notes;
  if (decision.action === 'ARCHIVE') {
    const proposal = proposedArchiveRule(finding, decision.ruleId);
    notes.push('rule' in proposal ? `Make it a rule: ${archiveRuleText(proposal.rule)}` : `No archive rule proposed: ${proposal.none}`);
  }
  if (decision.action !== 'EXCEPTED' && deps.exceptions?.length) {
    const expired = expiredExceptionNote(finding, deps.exceptions, (deps.now ?? (() => new Date()))());
    // A plain notification already names it in its headline (the decision's reason).
    if (expired && !outcomeOf(state).headline.includes('expired on')) notes.push(expired);
  }
  return notes;
}

function withNotes(message: SlackMessage, notes: string[]): SlackMessage {
  if (notes.length === 0) return message;
  const blocks: KnownBlock[] = notes.map((note) => ({ type: 'section', text: { type: 'mrkdwn', text: note.slice(0, 2900) } }));
  const at = Math.max(0, message.blocks.length - 1); // before the execution context line
  return { text: `${message.text}\n${notes.join('\n')}`, blocks: [...message.blocks.slice(0, at), ...blocks, ...message.blocks.slice(at)] };
}

export async function recordAndNotify(input: TaskInput, deps: NotifyDeps & { audit: AuditStore; writeBack?: WriteBackDeps }): Promise<RunState> {
  await recordWithWriteBack(input, deps);
  return notifyRoute(input, deps);
}

export const recordAndNotifyTask = defineTask('record-and-notify', RunStateSchema, (input) => {
  const rulesFile = rules();
  return recordAndNotify(input, { audit: auditStore(), slack, slackConfigured: slackConfigured(), topic: approvalTopic(), defaultChannel: rulesFile.routes.default.slackChannel, exceptions: rulesFile.exceptions, writeBack: writeBackDeps() });
});
