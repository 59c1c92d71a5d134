/**
 * GuardDuty findings do not resolve by themselves: once the control's own verify shows the fix
 * holds, Check Resolution archives the finding (ArchiveFindings). The emulator has no
 * ArchiveFindings (it only creates detectors): the unit tests cover it with aws-sdk-client-mock.
 *
 * The detector: the `detectorId` label when the normalizer keeps it; else the GuardDuty finding ARN
 * (`arn:<partition>:guardduty:<region>:<account>:detector/<detector>/finding/<id>`, the id of a
 * finding that came through Security Hub); else the account's one detector in the region (GuardDuty
 * allows one per account and region), from ListDetectors.
 */
import { ArchiveFindingsCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import type { AwsClients } from '../aws/clients';
import { toRemediatorError } from '../aws/errors';
import { VerificationFailedError } from '../errors';
import type { Finding } from '../finding';

const FINDING_ARN = /^arn:aws[a-z-]*:guardduty:[a-z0-9-]+:\d{12}:detector\/([0-9a-z]+)\/finding\/([0-9a-z]+)$/;

/** The GuardDuty finding id and, when the finding carries it, its detector. */
export function guardDutyIdsOf(finding: Finding): { findingId: string; detectorId: string | undefined } {
  const arn = FINDING_ARN.exec(finding.id);
  if (arn) return { detectorId: finding.labels.detectorId ?? arn[1], findingId: arn[2]! };
  return { detectorId: finding.labels.detectorId, findingId: finding.id };
}

async function onlyDetector(clients: AwsClients, finding: Finding): Promise<string> {
  const result = await clients.get(GuardDutyClient).send(new ListDetectorsCommand({}));
  const ids = result.DetectorIds ?? [];
  if (ids.length !== 1) {
    throw new VerificationFailedError(`cannot tell which GuardDuty detector holds finding ${finding.id}: ${ids.length} detectors`, { context: { findingId: finding.id } });
  }
  return ids[0]!;
}

/** Archive the finding in its detector (call it only after the control's verify says the fix holds). */
export async function archiveGuardDutyFinding(clients: AwsClients, finding: Finding): Promise<{ detectorId: string; findingId: string }> {
  const ids = guardDutyIdsOf(finding);
  try {
    const detectorId = ids.detectorId ?? (await onlyDetector(clients, finding));
    await clients.get(GuardDutyClient).send(new ArchiveFindingsCommand({ DetectorId: detectorId, FindingIds: [ids.findingId] }));
    return { detectorId, findingId: ids.findingId };
  } catch (error) {
    throw toRemediatorError(error, `archiving GuardDuty finding ${ids.findingId}`, { findingId: finding.id });
  }
}
