/** Escalate To Next Level: on-call did not answer in time; the route's next level hears of it (in Slack, or on the approval topic without Slack). */
import type { SlackApi } from '../escalation/slack-api';
import { outcomeMessage } from '../escalation/messages';
import { publishToTopic, type Topic } from '../escalation/publish-text';
import { outcomeText } from '../escalation/text-message';
import { approvalTopic } from '../runtime/approval-topic';
import { slack, slackConfigured } from '../runtime/slack';
import { defineTask } from './dispatch';
import { STATES_TIMEOUT } from './error-names';
import { DecidedStateSchema, type DecidedState, type RunState } from './state';
import type { TaskInput } from './types';

export interface NextLevelDeps {
  slack: () => Promise<SlackApi>;
  slackConfigured?: boolean;
  links?: Topic | null;
}

export async function escalateToNextLevel(input: TaskInput<DecidedState>, deps: NextLevelDeps): Promise<RunState> {
  const { state } = input;
  const escalated: RunState = { ...state, escalation: { ...(state.escalation ?? {}), Error: STATES_TIMEOUT, nextLevel: true } };
  const route = state.decision.route;
  const channel = route.nextLevel?.slackChannel ?? route.slackChannel;
  if ((deps.slackConfigured ?? true) && channel) {
    await (await deps.slack()).chat.postMessage({ channel, ...outcomeMessage(escalated, input.execution) });
  } else if (deps.links) {
    await publishToTopic(deps.links, outcomeText(escalated, input.execution), `the escalation of ${state.finding.resource.arn}`);
  }
  return escalated;
}

export const escalateToNextLevelTask = defineTask('escalate-to-next-level', DecidedStateSchema, (input) =>
  escalateToNextLevel(input, { slack, slackConfigured: slackConfigured(), links: approvalTopic() }),
);
