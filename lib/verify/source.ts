/**
 * The source's say, after the live re-check passed (deployed stack only: the local stack's
 * emulator has none of these APIs). One check per source that raised the finding, chosen from a
 * table, never a ladder:
 * - Access Analyzer: the finding's own status (the rescan was started right after the write);
 * - AWS Config: evaluate the rule again (StartConfigRulesEvaluation), then its verdict on the
 *   resource (GetComplianceDetailsByResource): only COMPLIANT closes the finding;
 * - GuardDuty: its findings do not resolve by themselves: the control's verify is the proof, and
 *   the finding is archived (ArchiveFindings) once it passed.
 * Findings of other sources (a manual request, an Access Analyzer finding through Security Hub,
 * which names no analyzer) have no source to ask: the live re-check answers alone.
 */
import type { AwsClients } from '../aws/clients';
import { mappedSourceOf } from '../controls/mapping';
import { TransientAwsError } from '../errors';
import type { Finding } from '../finding';
import { logger } from '../logger';
import { analyzerStatus } from './access-analyzer';
import { configCompliance, configResourceIdOf, configRuleNameOf, requestConfigReevaluation } from './config';
import { archiveGuardDutyFinding } from './guardduty';

/** Whether the source counts the finding as closed, and why (a clause of Check Resolution's reason). */
export interface SourceVerdict {
  source: VerifyingSource;
  resolved: boolean;
  reason: string;
}

export type VerifyingSource = 'access-analyzer' | 'config' | 'guardduty';

/** The IAM actions these checks call, for serverless.yml and its deploy test (Access Analyzer's are granted with its rescan). */
export const SOURCE_VERIFY_PERMISSIONS = [
  'config:GetComplianceDetailsByResource',
  'config:StartConfigRulesEvaluation',
  'guardduty:ArchiveFindings',
  'guardduty:ListDetectors',
] as const;

type SourceCheck = (finding: Finding, clients: AwsClients) => Promise<SourceVerdict | null>;

async function askAccessAnalyzer(finding: Finding, clients: AwsClients): Promise<SourceVerdict | null> {
  const status = await analyzerStatus(finding, clients);
  if (status === null) return null;
  return status === 'ACTIVE'
    ? { source: 'access-analyzer', resolved: false, reason: 'Access Analyzer still reports the finding ACTIVE (rescan pending)' }
    : { source: 'access-analyzer', resolved: true, reason: `Access Analyzer reports the finding ${status}` };
}

async function askConfig(finding: Finding, clients: AwsClients): Promise<SourceVerdict> {
  const rule = configRuleNameOf(finding);
  const resourceId = configResourceIdOf(finding);
  let requested: string;
  try {
    requested = (await requestConfigReevaluation(clients, finding)) === 'STARTED' ? 're-evaluation started' : 're-evaluation already running';
  } catch (error) {
    if (error instanceof TransientAwsError) throw error;
    // Like the Access Analyzer rescan: a rescan that cannot be started never fails the check; Config's verdict still counts.
    logger.warn('could not start a Config re-evaluation', { findingId: finding.id, resourceArn: finding.resource.arn, error: (error as Error).message });
    requested = 're-evaluation could not be started';
  }
  const status = await configCompliance(clients, finding);
  if (status === 'COMPLIANT') return { source: 'config', resolved: true, reason: `Config evaluates ${rule} COMPLIANT on ${resourceId}` };
  const verdict = status === 'NON_COMPLIANT' ? `Config still evaluates ${rule} NON_COMPLIANT on ${resourceId}` : `Config has no verdict of ${rule} on ${resourceId} yet`;
  return { source: 'config', resolved: false, reason: `${verdict} (${requested})` };
}

async function askGuardDuty(finding: Finding, clients: AwsClients): Promise<SourceVerdict> {
  try {
    const { detectorId, findingId } = await archiveGuardDutyFinding(clients, finding);
    return { source: 'guardduty', resolved: true, reason: `GuardDuty finding ${findingId} archived in detector ${detectorId}` };
  } catch (error) {
    if (error instanceof TransientAwsError) throw error;
    // The fix holds on the live resource (the control's verify said so): the finding is resolved; the
    // reason, recorded and sent to Slack, says that GuardDuty still lists it and why.
    logger.warn('could not archive the GuardDuty finding', { findingId: finding.id, resourceArn: finding.resource.arn, error: (error as Error).message });
    return { source: 'guardduty', resolved: true, reason: `the GuardDuty finding could not be archived: ${(error as Error).message}` };
  }
}

const SOURCE_CHECKS: Readonly<Record<VerifyingSource, SourceCheck>> = {
  'access-analyzer': askAccessAnalyzer,
  config: askConfig,
  guardduty: askGuardDuty,
};

/** The source to ask about this finding (directly or through Security Hub), or null when there is none. */
export function verifyingSourceOf(finding: Finding): VerifyingSource | null {
  if (finding.source === 'access-analyzer') return 'access-analyzer';
  return mappedSourceOf(finding) ?? null;
}

/** Ask the source that raised the finding; null when it has no say. Transient errors are thrown for the state machine's Retry. */
export async function askSource(finding: Finding, clients: AwsClients): Promise<SourceVerdict | null> {
  const source = verifyingSourceOf(finding);
  return source ? SOURCE_CHECKS[source](finding, clients) : null;
}
