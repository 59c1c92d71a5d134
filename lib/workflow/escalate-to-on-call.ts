/** Escalate To On-Call: the fix did not take; on-call answers Acknowledge or Roll back in Slack. */
import { onCallMessage } from '../escalation/messages';
import { approvalStore } from '../runtime/approvals';
import { slack } from '../runtime/slack';
import { askHuman, type AskDeps } from './ask-human';
import { defineTask } from './dispatch';
import { DecidedStateSchema, type DecidedState } from './state';
import type { TaskInput } from './types';

export async function escalateToOnCall(input: TaskInput<DecidedState>, deps: AskDeps): Promise<{ approvalId: string }> {
  const { state } = input;
  return askHuman(
    {
      kind: 'on-call',
      state,
      execution: input.execution,
      taskToken: input.taskToken,
      timeoutSeconds: state.decision.escalation.timeoutSeconds,
      message: (id) => onCallMessage(state, id),
    },
    deps,
  );
}

export const escalateToOnCallTask = defineTask('escalate-to-on-call', DecidedStateSchema, (input) =>
  escalateToOnCall(input, { approvals: approvalStore(), slack }),
);
