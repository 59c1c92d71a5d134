/**
 * The authoritative rescan for Access Analyzer findings. After a write,
 * `requestRescan` asks the analyzer that reported the finding to rescan the
 * resource now (StartResourceScan); Check Resolution then requires both the
 * live re-check (the policy analyzer) and Access Analyzer to agree that the
 * finding is closed. On the local stack, which has no Access Analyzer, the live
 * re-check answers alone (REMEDIATOR_RESCAN_SOURCE is not access-analyzer, lib/config.ts), as DESIGN §5 says.
 */
import { AccessAnalyzerClient, GetFindingCommand, StartResourceScanCommand } from '@aws-sdk/client-accessanalyzer';
import type { AwsClients } from '../aws/clients';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import type { Finding } from '../finding';
import { logger } from '../logger';


function analyzerOf(finding: Finding): string | null {
  return finding.source === 'access-analyzer' ? (finding.labels.analyzerArn ?? null) : null;
}

/** Ask for a rescan of the resource. Never fails the remediation: the live re-check still runs. */
export async function requestRescan(finding: Finding, clients: AwsClients): Promise<boolean> {
  const analyzerArn = analyzerOf(finding);
  if (!analyzerArn) return false;
  try {
    await clients.get(AccessAnalyzerClient).send(new StartResourceScanCommand({ analyzerArn, resourceArn: finding.resource.arn }));
    return true;
  } catch (error) {
    logger.warn('could not start an Access Analyzer rescan', { findingId: finding.id, resourceArn: finding.resource.arn, error: awsErrorName(error) });
    return false;
  }
}

/** Access Analyzer's own status of the finding: RESOLVED when it is gone. null when it has no say (another source). */
export async function analyzerStatus(finding: Finding, clients: AwsClients): Promise<'ACTIVE' | 'ARCHIVED' | 'RESOLVED' | null> {
  const analyzerArn = analyzerOf(finding);
  if (!analyzerArn) return null;
  try {
    const result = await clients.get(AccessAnalyzerClient).send(new GetFindingCommand({ analyzerArn, id: finding.id }));
    const status = result.finding?.status;
    return status === 'ACTIVE' || status === 'ARCHIVED' || status === 'RESOLVED' ? status : 'ACTIVE';
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') return 'RESOLVED';
    throw toRemediatorError(error, `reading finding ${finding.id} from ${analyzerArn}`, { findingId: finding.id });
  }
}
