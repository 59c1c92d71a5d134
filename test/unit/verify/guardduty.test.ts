/**
 * Archiving a GuardDuty finding once the fix holds. moto has no GuardDuty findings
 * nor ArchiveFindings (only CreateDetector), so the SDK is mocked (aws-sdk-client-mock).
 */
import { ArchiveFindingsCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import { FindingSchema, type Finding } from '../../../lib/finding';
import { normalizeEvent } from '../../../lib/sources';
import { archiveGuardDutyFinding } from '../../../lib/verify/guardduty';

const event = (file: string) => JSON.parse(readFileSync(`events/guardduty/${file}.json`, 'utf8'));
function normalized(raw: unknown): Finding {
  const result = normalizeEvent(raw, {});
  if (result.kind !== 'findings') throw new Error(result.kind);
  return result.findings[0]!;
}

const guardduty = mockClient(GuardDutyClient);
const clients = () => new AwsClients({ region: 'us-east-1' });

function direct(): Finding {
  const result = normalizeEvent(JSON.parse(readFileSync('events/guardduty/ec2-bitcoin-tool-dns.json', 'utf8')), {});
  if (result.kind !== 'findings') throw new Error(result.kind);
  return result.findings[0]!;
}

beforeEach(() => guardduty.reset());

describe('archiveGuardDutyFinding', () => {
  it("archives a Security Hub copy in the detector its finding ARN names", async () => {
    const finding = FindingSchema.parse({
      ...direct(),
      source: 'security-hub',
      id: 'arn:aws:guardduty:us-east-1:123456789012:detector/12cc51e1c99e833adf5924c71ac591b2/finding/3ff6e4c6dba97b1a1e8d5c4b3a2f1ea4',
    });
    guardduty.on(ArchiveFindingsCommand).resolves({});
    expect(await archiveGuardDutyFinding(clients(), finding)).toEqual({ detectorId: '12cc51e1c99e833adf5924c71ac591b2', findingId: '3ff6e4c6dba97b1a1e8d5c4b3a2f1ea4' });
    expect(guardduty.commandCalls(ListDetectorsCommand)).toHaveLength(0);
    expect(guardduty.commandCalls(ArchiveFindingsCommand)[0]!.args[0].input).toEqual({ DetectorId: '12cc51e1c99e833adf5924c71ac591b2', FindingIds: ['3ff6e4c6dba97b1a1e8d5c4b3a2f1ea4'] });
  });

  it('uses the detectorId label when the normalizer keeps it', async () => {
    const finding = FindingSchema.parse({ ...direct(), labels: { detectorId: 'abc123' } });
    guardduty.on(ArchiveFindingsCommand).resolves({});
    await archiveGuardDutyFinding(clients(), finding);
    expect(guardduty.commandCalls(ArchiveFindingsCommand)[0]!.args[0].input).toEqual({ DetectorId: 'abc123', FindingIds: [finding.id] });
  });

  // A finding without the label (an older record, an event without service.detectorId nor arn).
  const withoutDetector = (): Finding => FindingSchema.parse({ ...direct(), labels: {} });

  it("falls back to the account's only detector in the region", async () => {
    const finding = withoutDetector();
    guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: ['only1'] });
    guardduty.on(ArchiveFindingsCommand).resolves({});
    expect(await archiveGuardDutyFinding(clients(), finding)).toEqual({ detectorId: 'only1', findingId: finding.id });
  });

  it('archives nothing when it cannot tell the detector', async () => {
    guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    await expect(archiveGuardDutyFinding(clients(), withoutDetector())).rejects.toMatchObject({ name: 'VerificationFailedError' });
    expect(guardduty.commandCalls(ArchiveFindingsCommand)).toHaveLength(0);
  });
});

describe('what the GuardDuty normalizer keeps for verification and for the control', () => {
  it('keeps the detector of every finding, and the access key of an AccessKey finding', () => {
    expect(normalized(event('iam-user-malicious-ip-caller')).labels).toEqual({ detectorId: '12cc51e1c99e833adf5924c71ac591b2', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
    // An S3 finding names the caller's key too: it is not the resource, so it is not kept.
    expect(normalized(event('s3-bucket-public-access-granted')).labels).toEqual({ detectorId: '12cc51e1c99e833adf5924c71ac591b2' });
  });

  it('reads the detector from the finding ARN when service.detectorId is absent, and keeps none when neither names it', () => {
    const raw = event('iam-user-malicious-ip-caller');
    delete raw.detail.service.detectorId;
    raw.detail.arn = 'arn:aws:guardduty:us-east-1:123456789012:detector/abcdef0123/finding/4007f5d7ecba8c2b2f9e6d5c4b3a2fb5';
    expect(normalized(raw).labels.detectorId).toBe('abcdef0123');
    delete raw.detail.arn;
    expect(normalized(raw).labels.detectorId).toBeUndefined();
  });

  it.each([
    ['an access key id with a slash', ['detail', 'resource', 'accessKeyDetails', 'accessKeyId'], 'AKIA/../EXAMPLE0000'],
    ['a detector id with capitals and dots', ['detail', 'service', 'detectorId'], 'Detector.1'],
  ])('refuses %s with an InvalidEventError naming the field', (_what, path, value) => {
    const raw = event('iam-user-malicious-ip-caller');
    let target = raw;
    for (const key of path.slice(0, -1)) target = target[key];
    target[path.at(-1)!] = value;
    expect(() => normalizeEvent(raw, {})).toThrow(expect.objectContaining({ name: 'InvalidEventError', message: expect.stringContaining(path.at(-1)!) }));
  });
});
