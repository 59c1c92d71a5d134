/**
 * Archive Finding: intended access, by rule. Access Analyzer findings are
 * archived in the analyzer that reported them (`UpdateFindings`), which is what
 * an archive rule would have done; other sources are left as they are and the
 * run says why.
 */
import { AccessAnalyzerClient, UpdateFindingsCommand } from '@aws-sdk/client-accessanalyzer';
import type { AwsClients } from '../aws/clients';
import { toRemediatorError } from '../aws/errors';
import type { Finding } from '../finding';

export interface ArchiveResult {
  status: 'ARCHIVED' | 'NOT_ARCHIVED';
  reason: string;
}


export async function archiveFinding(finding: Finding, ruleId: string, clients: AwsClients): Promise<ArchiveResult> {
  const analyzerArn = finding.labels.analyzerArn;
  if (finding.source !== 'access-analyzer' || !analyzerArn) {
    return { status: 'NOT_ARCHIVED', reason: `intended access by rule ${ruleId}; only Access Analyzer findings are archived by Remediator (this one came from ${finding.source})` };
  }
  try {
    await clients.get(AccessAnalyzerClient).send(new UpdateFindingsCommand({ analyzerArn, ids: [finding.id], status: 'ARCHIVED' }));
  } catch (error) {
    throw toRemediatorError(error, `archiving finding ${finding.id} in ${analyzerArn}`, { findingId: finding.id });
  }
  return { status: 'ARCHIVED', reason: `intended access by rule ${ruleId}: archived in ${analyzerArn}` };
}
