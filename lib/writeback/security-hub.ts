/**
 * Security Hub write-back: the outcome of a run, written onto the Security Hub finding it came
 * from (`BatchUpdateFindings`), so that the team's dashboards show what happened.
 *
 * - escalated to a human, or told to one (ESCALATED, ACKNOWLEDGED, NOTIFIED) → Workflow.Status NOTIFIED
 * - fixed and verified on the live resource (RESOLVED, NOT_APPLICABLE)       → RESOLVED
 * - intended access by rule (ARCHIVED)                                        → SUPPRESSED
 * Every other outcome writes nothing (a dry run, a rejection, a failure leave the finding as it is;
 * an exception is not suppressed, since it expires and the finding must come back).
 * The Note names the execution and the change, UpdatedBy "remediator".
 *
 * Only findings whose source is Security Hub are written back (they keep their Id and ProductArn).
 * A write-back never fails the run: `writeBackToSecurityHub` always returns a result, which the
 * recording tasks log and store with the outcome.
 */
import { BatchUpdateFindingsCommand, type BatchUpdateFindingsCommandInput, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AwsClients } from '../aws/clients';
import { awsErrorName } from '../aws/errors';
import { type Outcome, outcomeOf } from '../outcome';
import { PRODUCT_ARN_LABEL } from '../sources/security-hub';
import type { RunState } from '../workflow/state';

export const SECURITY_HUB_WORKFLOW_STATUSES = ['NOTIFIED', 'RESOLVED', 'SUPPRESSED'] as const;
export type SecurityHubWorkflowStatus = (typeof SECURITY_HUB_WORKFLOW_STATUSES)[number];

/** The outcomes that are written back, and as what. */
export const WORKFLOW_STATUS_BY_OUTCOME: Readonly<Partial<Record<Outcome, SecurityHubWorkflowStatus>>> = {
  ESCALATED: 'NOTIFIED',
  ACKNOWLEDGED: 'NOTIFIED',
  NOTIFIED: 'NOTIFIED',
  RESOLVED: 'RESOLVED',
  NOT_APPLICABLE: 'RESOLVED',
  ARCHIVED: 'SUPPRESSED',
};

/** Security Hub's limit on a note's text. */
const NOTE_MAX = 512;
export const UPDATED_BY = 'remediator';

/** The IAM action this module calls (declared in serverless.yml for the role of the recording tasks). */
export const SECURITY_HUB_WRITEBACK_PERMISSIONS = ['securityhub:BatchUpdateFindings'] as const;

export interface WriteBackResult {
  target: 'security-hub';
  /** UPDATED: Security Hub accepted it; SKIPPED: nothing to write (and why); FAILED: the call or the finding was refused (why). */
  status: 'UPDATED' | 'SKIPPED' | 'FAILED';
  workflowStatus?: SecurityHubWorkflowStatus;
  reason: string;
}

/** The setting: on when REMEDIATOR_SECURITY_HUB_WRITEBACK is `true` (serverless.yml sets it from the `securityHubWriteBack` parameter, default true; the local stack leaves it off, moto has no BatchUpdateFindings). */
export function securityHubWriteBackEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.REMEDIATOR_SECURITY_HUB_WRITEBACK ?? '').trim().toLowerCase();
  return value === 'true' || value === '1';
}

/** What would be written for this run, or why nothing is. Pure. */
export function securityHubUpdateFor(state: RunState, executionArn: string): { input: BatchUpdateFindingsCommandInput; workflowStatus: SecurityHubWorkflowStatus } | { skip: string } {
  const finding = state.finding;
  if (!finding) return { skip: 'no finding in this run' };
  if (finding.source !== 'security-hub') return { skip: `the finding came from ${finding.source}, not Security Hub` };
  const productArn = finding.labels[PRODUCT_ARN_LABEL];
  if (!productArn) return { skip: `finding ${finding.id} kept no ProductArn: Security Hub cannot be told which finding it is` };
  const { outcome, headline } = outcomeOf(state);
  const workflowStatus = WORKFLOW_STATUS_BY_OUTCOME[outcome];
  if (!workflowStatus) return { skip: `outcome ${outcome} is not written back` };
  return {
    workflowStatus,
    input: {
      FindingIdentifiers: [{ Id: finding.id, ProductArn: productArn }],
      Workflow: { Status: workflowStatus },
      Note: { Text: noteText(outcome, headline, executionArn, state.change?.changeId ?? state.rollback?.changeId ?? null), UpdatedBy: UPDATED_BY },
    },
  };
}

/** The note: outcome, execution and change first (they must survive the cut), then the headline. */
export function noteText(outcome: Outcome, headline: string, executionArn: string, changeId: string | null): string {
  const head = `Remediator ${outcome}. Execution ${executionArn}; change ${changeId ?? 'none'}. `;
  const text = `${head}${headline}`;
  return text.length <= NOTE_MAX ? text : `${text.slice(0, NOTE_MAX - 1)}…`;
}

/** Write the run's outcome back to Security Hub. Never throws: a failure is a FAILED result with the reason. */
export async function writeBackToSecurityHub(state: RunState, executionArn: string, clients: AwsClients): Promise<WriteBackResult> {
  const update = securityHubUpdateFor(state, executionArn);
  if ('skip' in update) return { target: 'security-hub', status: 'SKIPPED', reason: update.skip };
  const { workflowStatus } = update;
  try {
    const answer = await clients.get(SecurityHubClient).send(new BatchUpdateFindingsCommand(update.input));
    const refused = answer.UnprocessedFindings?.[0];
    if (refused) {
      return { target: 'security-hub', status: 'FAILED', workflowStatus, reason: `Security Hub did not update the finding: ${refused.ErrorCode ?? 'error'}: ${refused.ErrorMessage ?? 'no message'}` };
    }
    return { target: 'security-hub', status: 'UPDATED', workflowStatus, reason: `Workflow.Status ${workflowStatus}` };
  } catch (error) {
    return { target: 'security-hub', status: 'FAILED', workflowStatus, reason: `BatchUpdateFindings: ${awsErrorName(error)}: ${(error as Error)?.message ?? String(error)}`.slice(0, 1000) };
  }
}
