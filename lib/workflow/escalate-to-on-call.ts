/** Escalate To On-Call: the fix did not take; on-call answers Acknowledge or Roll back (in Slack, or by signed link). */
import { zoneFor } from '../rules/triage';
import type { RulesFile } from '../rules/schema';
import { onCallMessage } from '../escalation/messages';
import { requestView } from '../escalation/request-view';
import { approvalStore } from '../runtime/approvals';
import { approvalLinks } from '../runtime/links';
import { rules } from '../runtime/rules';
import { slack, slackConfigured } from '../runtime/slack';
import { askHuman, type AskDeps } from './ask-human';
import { defineTask } from './dispatch';
import { DecidedStateSchema, type DecidedState } from './state';
import type { TaskInput } from './types';

export async function escalateToOnCall(input: TaskInput<DecidedState>, deps: AskDeps & { rules: RulesFile }): Promise<{ approvalId: string }> {
  const { state } = input;
  const canRollBack = Boolean(state.change?.changeId);
  const made = state.plan?.before && state.plan.after && state.decision.controlId ? state.plan : undefined;
  const view = requestView({
    finding: state.finding,
    ruleId: state.decision.ruleId,
    executionArn: input.execution,
    zone: zoneFor(state.finding, deps.rules),
    ...(made?.before && made.after && state.decision.controlId
      ? { plan: { controlId: state.decision.controlId, summary: made.summary, before: made.before, after: made.after } }
      : {}),
  });
  const facts = { lastCheck: state.verification?.reason ?? 'n/a', changeSummary: state.change?.summary ?? 'none', canRollBack };
  return askHuman(
    {
      kind: 'on-call',
      state,
      execution: input.execution,
      taskToken: input.taskToken,
      timeoutSeconds: state.decision.escalation.timeoutSeconds,
      message: (id) => onCallMessage(view, id, facts),
      view,
      title: 'Finding still open after remediation',
      extra: [`Last check:\n${facts.lastCheck}`, `Change made:\n${facts.changeSummary}`],
      answers: [{ action: 'acknowledge', label: 'Acknowledge' }, ...(canRollBack ? [{ action: 'rollback' as const, label: 'Roll back' }] : [])],
    },
    deps,
  );
}

export const escalateToOnCallTask = defineTask('escalate-to-on-call', DecidedStateSchema, (input) =>
  escalateToOnCall(input, { rules: rules(), approvals: approvalStore(), slack, slackConfigured: slackConfigured(), links: approvalLinks() }),
);
