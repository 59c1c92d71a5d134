/** Escalate To Next Level: on-call did not answer in time; the route's next level hears of it. */
import type { WebClient } from '@slack/web-api';
import { outcomeMessage } from '../escalation/messages';
import { slack } from '../runtime/slack';
import { defineTask } from './dispatch';
import { STATES_TIMEOUT } from './error-names';
import { DecidedStateSchema, type DecidedState, type RunState } from './state';
import type { TaskInput } from './types';

export async function escalateToNextLevel(input: TaskInput<DecidedState>, deps: { slack: () => Promise<WebClient> }): Promise<RunState> {
  const { state } = input;
  const escalated: RunState = { ...state, escalation: { ...(state.escalation ?? {}), Error: STATES_TIMEOUT, nextLevel: true } };
  const route = state.decision.route;
  const channel = route.nextLevel?.slackChannel ?? route.slackChannel;
  if (channel) await (await deps.slack()).chat.postMessage({ channel, ...outcomeMessage(escalated, input.execution) });
  return escalated;
}

export const escalateToNextLevelTask = defineTask('escalate-to-next-level', DecidedStateSchema, (input) => escalateToNextLevel(input, { slack }));
