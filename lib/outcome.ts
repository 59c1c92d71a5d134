/**
 * How a run ended, derived from the workflow state alone, so that Notify,
 * Record and the CLI agree on one vocabulary.
 */
import type { Decision, Finding } from './finding';

export const OUTCOMES = [
  'RESOLVED',
  'NOT_APPLICABLE',
  'REJECTED',
  'APPROVAL_EXPIRED',
  'ESCALATED',
  'ACKNOWLEDGED',
  'ROLLED_BACK',
  'DRY_RUN',
  'NOTIFIED',
  'ARCHIVED',
  'IGNORED',
  'ALREADY_RESOLVED',
  'FAILED',
  'FANNED_OUT',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The workflow document as the state machine carries it (every part optional past Classify). */
export interface RunState {
  finding?: Finding;
  decision?: Decision;
  plan?: { summary: string; applicable: boolean; reason: string; before?: Record<string, string | null>; after?: Record<string, string | null> };
  change?: { status: 'REMEDIATED' | 'NOT_APPLICABLE'; changeId: string | null; summary: string; reason: string; controlId: string };
  verification?: { status: 'RESOLVED' | 'STILL_OPEN'; attempt: number; attemptsLeft: number; reason: string };
  approval?: { outcome?: string; decidedBy?: string; Error?: string; Cause?: string };
  escalation?: { outcome?: string; decidedBy?: string; Error?: string; Cause?: string; nextLevel?: boolean };
  rollback?: { changeId: string; status: string };
  archive?: { status: string; reason: string };
  /** Approvals and escalations a resolved finding closed. */
  closed?: string[];
  notification?: unknown;
  error?: { Error: string; Cause: string };
  /** Findings of a multi-finding event that could not be normalized (their siblings went on). */
  rejected?: { id: string; errorName: string; error: string }[];
  batch?: { findings: unknown[]; rejected: unknown[]; started?: unknown[] };
}

export function outcomeOf(state: RunState): { outcome: Outcome; headline: string } {
  const resource = state.finding?.resource.arn ?? 'the resource';
  if (state.error) return { outcome: 'FAILED', headline: `Remediation failed for ${resource}: ${state.error.Error}` };
  if (state.batch) {
    return { outcome: 'FANNED_OUT', headline: `${state.batch.findings.length} findings started as their own executions; ${state.batch.rejected.length} rejected` };
  }
  if (state.rollback) return { outcome: 'ROLLED_BACK', headline: `Change ${state.rollback.changeId} on ${resource} was rolled back` };
  if (state.approval?.Error === 'FindingResolved' || state.escalation?.Error === 'FindingResolved') {
    return { outcome: 'ALREADY_RESOLVED', headline: `The source reports ${resource} resolved while a human was being asked: nothing more to do` };
  }
  if (state.escalation) {
    if (state.escalation.Error === 'States.Timeout') return { outcome: 'ESCALATED', headline: `No answer from on-call for ${resource}: escalated to the next level` };
    return { outcome: 'ACKNOWLEDGED', headline: `On-call acknowledged the open finding on ${resource}${by(state.escalation.decidedBy)}` };
  }
  if (state.approval?.Error === 'ApprovalRejected') return { outcome: 'REJECTED', headline: `Change to ${resource} rejected${by(rejectedBy(state.approval.Cause))}` };
  if (state.approval?.Error === 'States.Timeout') return { outcome: 'APPROVAL_EXPIRED', headline: `No decision on the change to ${resource} in time: nothing changed` };
  if (state.verification?.status === 'RESOLVED') {
    if (state.change?.status === 'NOT_APPLICABLE') return { outcome: 'NOT_APPLICABLE', headline: `${resource} was no longer exposed: nothing changed` };
    return { outcome: 'RESOLVED', headline: `${resource} remediated and verified${by(state.approval?.decidedBy)}` };
  }
  switch (state.decision?.action) {
    case 'DRY_RUN':
      return { outcome: 'DRY_RUN', headline: `Dry run for ${resource}: ${state.plan?.summary ?? 'no plan'}` };
    case 'ARCHIVE':
      return { outcome: 'ARCHIVED', headline: `Finding on ${resource} is intended access (${state.decision.ruleId})` };
    case 'IGNORE':
      return { outcome: 'IGNORED', headline: `Finding on ${resource} ignored: ${state.decision.reason}` };
    case 'ALREADY_RESOLVED':
      return { outcome: 'ALREADY_RESOLVED', headline: `Finding on ${resource} is already resolved` };
    default:
      return { outcome: 'NOTIFIED', headline: `Finding on ${resource}: ${state.decision?.reason ?? 'no decision'}` };
  }
}

const by = (who: string | undefined): string => (who ? ` (by <@${who}>)` : '');

function rejectedBy(cause: string | undefined): string | undefined {
  try {
    return (JSON.parse(cause ?? '{}') as { decidedBy?: string }).decidedBy;
  } catch {
    return undefined;
  }
}
