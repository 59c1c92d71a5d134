/**
 * Record And Notify: the outcome row first, then the message to the finding's
 * route. In this order a retry of the task repeats only the idempotent write
 * before the one call that is not (posting to Slack), which comes last.
 */
import type { WebClient } from '@slack/web-api';
import type { AuditStore } from '../audit/store';
import { outcomeMessage } from '../escalation/messages';
import { logger } from '../logger';
import { outcomeOf } from '../outcome';
import { auditStore } from '../runtime/audit';
import { rules } from '../runtime/rules';
import { slack } from '../runtime/slack';
import { defineTask } from './dispatch';
import { recordRun } from './record-outcome';
import { RunStateSchema, type RunState } from './state';
import type { TaskInput } from './types';

export interface NotifyDeps {
  slack: () => Promise<WebClient>;
  /** Where a run without a routed finding (rejected input) is told. */
  defaultChannel?: string;
}

/** One message shape for every branch, to the route of the finding's account. */
export async function notifyRoute(input: TaskInput, deps: NotifyDeps): Promise<RunState> {
  const { state } = input;
  const channel = state.decision?.route.slackChannel ?? deps.defaultChannel;
  const { outcome } = outcomeOf(state);
  if (!channel) {
    logger.warn('no channel to notify', { outcome, executionArn: input.execution });
    return { ...state, notification: { outcome, delivered: false } };
  }
  const posted = await (await deps.slack()).chat.postMessage({ channel, ...outcomeMessage(state, input.execution) });
  return { ...state, notification: { outcome, delivered: true, ...(posted.channel ? { channel: posted.channel } : {}), ...(posted.ts ? { ts: posted.ts } : {}) } };
}

export async function recordAndNotify(input: TaskInput, deps: NotifyDeps & { audit: AuditStore }): Promise<RunState> {
  await recordRun(input, deps.audit);
  return notifyRoute(input, deps);
}

export const recordAndNotifyTask = defineTask('record-and-notify', RunStateSchema, (input) =>
  recordAndNotify(input, { audit: auditStore(), slack, defaultChannel: rules().routes.default.slackChannel }),
);
