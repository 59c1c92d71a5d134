/**
 * Request Approval: the plan is computed here, once, from the live resource;
 * it is stored with the approval and shown in the message (the diff, and who
 * could reach the resource and who loses access), and the decision hands it back
 * to the execution ($.approval.plan), so Apply writes exactly what the approver
 * saw (or asks again when the resource moved: Ask Again? in the ASL).
 */
import { planHash } from '../controls/plan-hash';
import { planChange } from '../controls/runner';
import { approvalRequestMessage } from '../escalation/messages';
import { requestView } from '../escalation/request-view';
import { approvalStore } from '../runtime/approvals';
import { clients } from '../runtime/clients';
import { approvalLinks } from '../runtime/links';
import { rules } from '../runtime/rules';
import { settings } from '../runtime/settings';
import { slack, slackConfigured } from '../runtime/slack';
import { askHuman, type AskDeps } from './ask-human';
import { controlContext, controlOf, type ControlDeps, sessionOf } from './context';
import { defineTask } from './dispatch';
import { DecidedStateSchema, type ApprovedPlan, type DecidedState } from './state';
import type { TaskInput } from './types';

export async function requestApproval(input: TaskInput<DecidedState>, deps: ControlDeps & AskDeps): Promise<{ approvalId: string; plan: ApprovedPlan }> {
  const { state } = input;
  const controlId = controlOf(state, 'Request Approval');
  const ctx = await controlContext(state.finding, deps.rules, deps.remediationRoleArn, deps.clients, { accessAnalyzerChecks: deps.accessAnalyzerChecks, session: sessionOf(state, input.execution) });
  const planned = await planChange(controlId, ctx);
  const plan: ApprovedPlan = {
    before: planned.before,
    after: planned.after,
    summary: planned.summary,
    planHash: planHash({ controlId, resourceArn: state.finding.resource.arn, before: planned.before, after: planned.after }),
  };
  const round = state.rounds?.approval ?? 1;
  const view = requestView({
    finding: state.finding,
    ruleId: state.decision.ruleId,
    executionArn: input.execution,
    zone: ctx.zone,
    plan: { controlId, summary: plan.summary, before: plan.before, after: plan.after },
    notes: round > 1 ? [`Round ${round}: the resource changed after the last approval, so this is the new plan.`] : [],
  });
  const { approvalId } = await askHuman(
    {
      kind: 'approval',
      state,
      execution: input.execution,
      taskToken: input.taskToken,
      timeoutSeconds: state.decision.approval.timeoutSeconds,
      message: (id) => approvalRequestMessage(view, id),
      view,
      title: 'Remediation needs your approval',
      answers: [
        { action: 'approve', label: 'Approve' },
        { action: 'reject', label: 'Reject' },
      ],
      plan,
    },
    deps,
  );
  return { approvalId, plan };
}

export const requestApprovalTask = defineTask('request-approval', DecidedStateSchema, (input) =>
  requestApproval(input, {
    rules: rules(),
    remediationRoleArn: settings().remediationRoleArn,
    accessAnalyzerChecks: settings().accessAnalyzerRescan,
    clients: clients(),
    approvals: approvalStore(),
    slack,
    slackConfigured: slackConfigured(),
    links: approvalLinks(),
  }),
);
