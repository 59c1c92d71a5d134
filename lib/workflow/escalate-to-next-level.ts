/** Escalate To Next Level: on-call did not answer in time; the route's next level hears of it (in Slack, or on the approval topic without Slack). */
import { PublishCommand } from '@aws-sdk/client-sns';
import type { SlackApi } from '../escalation/slack-api';
import { toRemediatorError } from '../aws/errors';
import { outcomeMessage } from '../escalation/messages';
import { outcomeText } from '../escalation/text-message';
import { approvalLinks } from '../runtime/links';
import { slack, slackConfigured } from '../runtime/slack';
import type { LinkDelivery } from './ask-human';
import { defineTask } from './dispatch';
import { STATES_TIMEOUT } from './error-names';
import { DecidedStateSchema, type DecidedState, type RunState } from './state';
import type { TaskInput } from './types';

export interface NextLevelDeps {
  slack: () => Promise<SlackApi>;
  slackConfigured?: boolean;
  links?: Pick<LinkDelivery, 'topicArn' | 'sns'> | null;
}

export async function escalateToNextLevel(input: TaskInput<DecidedState>, deps: NextLevelDeps): Promise<RunState> {
  const { state } = input;
  const escalated: RunState = { ...state, escalation: { ...(state.escalation ?? {}), Error: STATES_TIMEOUT, nextLevel: true } };
  const route = state.decision.route;
  const channel = route.nextLevel?.slackChannel ?? route.slackChannel;
  if ((deps.slackConfigured ?? true) && channel) {
    await (await deps.slack()).chat.postMessage({ channel, ...outcomeMessage(escalated, input.execution) });
  } else if (deps.links) {
    const message = outcomeText(escalated, input.execution);
    try {
      await deps.links.sns().send(new PublishCommand({ TopicArn: deps.links.topicArn, Subject: message.subject, Message: message.body }));
    } catch (error) {
      throw toRemediatorError(error, `publishing the escalation of ${state.finding.resource.arn} to ${deps.links.topicArn}`);
    }
  }
  return escalated;
}

export const escalateToNextLevelTask = defineTask('escalate-to-next-level', DecidedStateSchema, (input) =>
  escalateToNextLevel(input, { slack, slackConfigured: slackConfigured(), links: approvalLinks() }),
);
