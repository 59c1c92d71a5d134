/**
 * How a run ended, derived from the workflow state alone, so that Notify,
 * Record and the CLI agree on one vocabulary.
 */
import { APPROVAL_REJECTED, FINDING_RESOLVED } from './errors';
import { STATES_TIMEOUT } from './workflow/error-names';
import type { RunState } from './workflow/state';

export type { RunState } from './workflow/state';

export const OUTCOMES = [
  'RESOLVED',
  'NOT_APPLICABLE',
  'DUPLICATE',
  'REJECTED',
  'APPROVAL_EXPIRED',
  'PLAN_CHANGED',
  'ESCALATED',
  'ACKNOWLEDGED',
  'ROLLED_BACK',
  'DRY_RUN',
  'NOTIFIED',
  'ARCHIVED',
  'IGNORED',
  'EXCEPTED',
  'ALREADY_RESOLVED',
  'FAILED',
  'FANNED_OUT',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function outcomeOf(state: RunState): { outcome: Outcome; headline: string } {
  const resource = state.finding?.resource.arn ?? 'the resource';
  if (state.error) return { outcome: 'FAILED', headline: `Remediation failed for ${resource}: ${state.error.Error}` };
  if (state.batch) {
    return { outcome: 'FANNED_OUT', headline: `${state.batch.findings.length} findings started as their own executions; ${state.batch.rejected.length} rejected` };
  }
  if (state.rollback) return { outcome: 'ROLLED_BACK', headline: `Change ${state.rollback.changeId} on ${resource} was rolled back` };
  if (state.approval?.Error === FINDING_RESOLVED || state.escalation?.Error === FINDING_RESOLVED) {
    return { outcome: 'ALREADY_RESOLVED', headline: `The source reports ${resource} resolved while a human was being asked: nothing more to do` };
  }
  if (state.escalation) {
    if (state.escalation.Error === STATES_TIMEOUT) return { outcome: 'ESCALATED', headline: `No answer from on-call for ${resource}: escalated to the next level` };
    return { outcome: 'ACKNOWLEDGED', headline: `On-call acknowledged the open finding on ${resource}${by(state.escalation.decidedBy)}` };
  }
  if (state.approval?.Error === APPROVAL_REJECTED) return { outcome: 'REJECTED', headline: `Change to ${resource} rejected${by(rejectedBy(state.approval.Cause))}` };
  if (state.approval?.Error === STATES_TIMEOUT) return { outcome: 'APPROVAL_EXPIRED', headline: `No decision on the change to ${resource} in time: nothing changed` };
  if (state.planChanged && !state.change) {
    return { outcome: 'PLAN_CHANGED', headline: `${resource} kept changing under the approved plan (${state.rounds?.approval ?? 1} approval rounds): nothing written` };
  }
  if (state.change?.status === 'DUPLICATE') {
    return { outcome: 'DUPLICATE', headline: `${resource} is being remediated by ${state.change.handledBy ?? 'another execution'}: nothing written here` };
  }
  if (state.verification?.status === 'RESOLVED') {
    if (state.change?.status === 'NOT_APPLICABLE') return { outcome: 'NOT_APPLICABLE', headline: `${resource} was no longer exposed: nothing changed` };
    return { outcome: 'RESOLVED', headline: `${resource} remediated and verified${by(state.approval?.decidedBy)}` };
  }
  switch (state.decision?.action) {
    case 'DRY_RUN':
      return { outcome: 'DRY_RUN', headline: `Dry run for ${resource}: ${state.plan?.summary ?? 'no plan'}` };
    case 'ARCHIVE':
      return { outcome: 'ARCHIVED', headline: `Finding on ${resource} is intended access (${state.decision.ruleId})` };
    case 'EXCEPTED':
      return { outcome: 'EXCEPTED', headline: `Finding on ${resource} is covered by an exception: ${state.decision.reason}` };
    case 'IGNORE':
      return { outcome: 'IGNORED', headline: `Finding on ${resource} ignored: ${state.decision.reason}` };
    case 'ALREADY_RESOLVED':
      return { outcome: 'ALREADY_RESOLVED', headline: `Finding on ${resource} is already resolved` };
    default:
      return { outcome: 'NOTIFIED', headline: `Finding on ${resource}: ${state.decision?.reason ?? 'no decision'}` };
  }
}

/** A Slack user is mentioned (`<@U…>`); a signed link names itself (`link:apr_…`). lib/audit/history.ts reads both back. */
const by = (who: string | undefined): string => (!who ? '' : who.startsWith('link:') ? ` (by ${who})` : ` (by <@${who}>)`);

function rejectedBy(cause: string | undefined): string | undefined {
  try {
    return (JSON.parse(cause ?? '{}') as { decidedBy?: string }).decidedBy;
  } catch {
    return undefined;
  }
}
