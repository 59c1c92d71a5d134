/** Notify: one message shape for every branch, to the route of the finding's account. */
import type { WebClient } from '@slack/web-api';
import { outcomeMessage } from '../escalation/messages';
import { logger } from '../logger';
import { outcomeOf, type RunState } from '../outcome';
import type { TaskInput } from './types';

export async function notify(input: TaskInput, deps: { slack: () => Promise<WebClient>; defaultChannel?: string }): Promise<RunState> {
  const { state } = input;
  const channel = state.decision?.route.slackChannel ?? deps.defaultChannel;
  const { outcome } = outcomeOf(state);
  if (!channel) {
    logger.warn('no channel to notify', { outcome, executionArn: input.execution });
    return { ...state, notification: { outcome, delivered: false } };
  }
  const slack = await deps.slack();
  const posted = await slack.chat.postMessage({ channel, ...outcomeMessage(state, input.execution) });
  return { ...state, notification: { outcome, delivered: true, channel: posted.channel, ts: posted.ts } };
}
