import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../lib/finding';
import {
  isNotifyOnlyFinding,
  managedRuleId,
  MAX_EVENT_BYTES,
  NORMALIZERS,
  normalizeEvent,
  splitEvent,
  type NormalizeResult,
} from '../../../lib/sources';
import { DEPLOYMENT, sample } from './samples';

function findingsOf(result: NormalizeResult): Finding[] {
  if (result.kind !== 'findings') throw new Error(`expected findings, got ignored: ${result.reason}`);
  return result.findings;
}

function only(result: NormalizeResult): Finding {
  const [finding, ...rest] = findingsOf(result);
  expect(rest).toEqual([]);
  return finding as Finding;
}

describe('the lookup table', () => {
  it('is keyed by source|detail-type', () => {
    expect([...NORMALIZERS.keys()]).toEqual(
      expect.arrayContaining([
        'aws.access-analyzer|Access Analyzer Finding',
        'aws.access-analyzer|Unused Access Finding for IAM entities',
        'aws.securityhub|Security Hub Findings - Imported',
        'aws.config|Config Rules Compliance Change',
        'aws.guardduty|GuardDuty Finding',
        'remediator.manual|Manual Remediation Request',
      ]),
    );
  });

  it('rejects an unknown source or detail-type with UnsupportedEventError naming both', () => {
    // Prepare
    const event = { ...sample('guardduty/ec2-ssh-brute-force'), 'detail-type': 'GuardDuty Runtime Protection Unhealthy' };

    // Act & Assess
    expect(() => normalizeEvent(event, {})).toThrow(
      expect.objectContaining({ name: 'UnsupportedEventError', message: expect.stringMatching(/aws\.guardduty.*"GuardDuty Runtime Protection Unhealthy"/) }),
    );
  });
});

describe('Access Analyzer', () => {
  it('maps a public bucket to a CRITICAL ExternalAccess finding with its exposure', () => {
    const finding = only(normalizeEvent(sample('access-analyzer/s3-bucket-public'), DEPLOYMENT));
    expect(finding).toMatchObject({
      id: '2d7e6a90-1c4b-4f0e-9a8d-5b3c2e1f0a77',
      source: 'access-analyzer',
      type: 'ExternalAccess',
      status: 'ACTIVE',
      severity: 'CRITICAL',
      resource: { arn: 'arn:aws:s3:::remediator-demo-public-assets', type: 'AWS::S3::Bucket', accountId: '123456789012', region: 'us-east-1' },
      exposure: { isPublic: true, principals: ['*'], actions: ['s3:GetObject', 's3:ListBucket'], conditions: {} },
      observedAt: '2026-11-23T09:12:40Z',
      sample: false,
      raw: { eventId: '8f2a1b3c-4d5e-6f70-8192-a3b4c5d6e7f8', source: 'aws.access-analyzer', detailType: 'Access Analyzer Finding' },
    });
  });

  it('keeps the conditions Access Analyzer considered', () => {
    const finding = only(normalizeEvent(sample('access-analyzer/kms-key-cross-account-with-condition'), DEPLOYMENT));
    expect(finding.exposure?.conditions).toEqual({ 'kms:ViaService': 's3.us-east-1.amazonaws.com' });
    expect(finding.severity).toBe('HIGH');
  });

  it('acts on IAM role findings in any region when no home region is configured', () => {
    const finding = only(normalizeEvent(sample('access-analyzer/iam-role-cross-account-other-region'), {}));
    expect(finding.resource).toMatchObject({ type: 'AWS::IAM::Role', region: 'eu-west-1' });
  });

  it('marks unused-access findings notify-only through their type', () => {
    const finding = only(normalizeEvent(sample('access-analyzer/unused-permission'), DEPLOYMENT));
    expect(finding).toMatchObject({ type: 'UnusedAccess', severity: 'LOW', resource: { accountId: '111122223333' } });
    expect(isNotifyOnlyFinding(finding)).toBe(true);
    expect(isNotifyOnlyFinding(only(normalizeEvent(sample('access-analyzer/s3-bucket-public'), DEPLOYMENT)))).toBe(false);
  });

  it('ignores unused-access error findings on purpose', () => {
    const event = sample('access-analyzer/unused-permission');
    (event.detail as Record<string, unknown>).error = 'INTERNAL_ERROR';
    expect(normalizeEvent(event, DEPLOYMENT)).toEqual({ kind: 'ignored', reason: expect.stringContaining('INTERNAL_ERROR') });
  });

  it('rejects a resource type it does not know with UnsupportedEventError naming detail.resourceType', () => {
    const event = sample('access-analyzer/s3-bucket-public');
    (event.detail as Record<string, unknown>).resourceType = 'AWS::Glue::Catalog';
    expect(() => normalizeEvent(event, DEPLOYMENT)).toThrow(
      expect.objectContaining({ name: 'UnsupportedEventError', message: expect.stringMatching(/^aws\.access-analyzer event: detail\.resourceType: "AWS::Glue::Catalog"/) }),
    );
  });

  it('rejects a truncated resource ARN with InvalidEventError naming detail.resource', () => {
    const event = sample('access-analyzer/kms-key-cross-account-with-condition');
    (event.detail as Record<string, unknown>).resource = 'arn:aws:kms:us-east-1:123456789012:key/';
    expect(() => normalizeEvent(event, DEPLOYMENT)).toThrow(
      expect.objectContaining({ name: 'InvalidEventError', message: expect.stringMatching(/^aws\.access-analyzer event: detail\.resource: .* is not an AWS::KMS::Key ARN/) }),
    );
  });

  it('rejects an ARN of another type than detail.resourceType says', () => {
    const event = sample('access-analyzer/sqs-queue-public');
    (event.detail as Record<string, unknown>).resource = 'arn:aws:sns:us-east-1:123456789012:remediator-demo-intake';
    expect(() => normalizeEvent(event, DEPLOYMENT)).toThrow(expect.objectContaining({ name: 'InvalidEventError', message: expect.stringContaining('detail.resource') }));
  });
});

describe('Security Hub', () => {
  it('returns one Finding per ASFF finding, in order', () => {
    const findings = findingsOf(normalizeEvent(sample('security-hub/mixed-batch'), DEPLOYMENT));
    expect(findings.map((finding) => finding.source)).toEqual(['security-hub', 'security-hub', 'security-hub']);
    expect(findings.map((finding) => finding.resource.accountId)).toEqual(['111122223333', '111122223333', '111122223333']);
  });

  it('keeps the good findings of a batch and reports the bad one in rejected', () => {
    // Act
    const result = normalizeEvent(sample('security-hub/mixed-batch-one-bad'), DEPLOYMENT);

    // Assess
    if (result.kind !== 'findings') throw new Error('expected findings');
    expect(result.findings).toHaveLength(2);
    expect(result.rejected).toEqual([
      {
        id: expect.stringContaining('analyzer/ConsoleAnalyzer-org/arn:aws:kms:eu-west-1:111122223333:key/'),
        errorName: 'InvalidEventError',
        error: expect.stringMatching(/^aws\.securityhub event: detail\.findings\[1\]\.Resources\[0\]: .*not an AWS::KMS::Key ARN/),
      },
    ]);
  });

  it('reports a finding that is not an object by its index', () => {
    const event = sample('security-hub/mixed-batch');
    (event.detail as { findings: unknown[] }).findings.push('not a finding');
    const result = normalizeEvent(event, DEPLOYMENT);
    if (result.kind !== 'findings') throw new Error('expected findings');
    expect(result.findings).toHaveLength(3);
    expect(result.rejected).toEqual([{ id: 'detail.findings[3]', errorName: 'InvalidEventError', error: expect.stringContaining('detail.findings[3]') }]);
  });

  it('throws when no finding of the event can be normalized', () => {
    const event = sample('security-hub/mixed-batch');
    (event.detail as { findings: unknown[] }).findings = [{ Id: 'x' }, { Id: 'y' }];
    expect(() => normalizeEvent(event, DEPLOYMENT)).toThrow(
      expect.objectContaining({ name: 'InvalidEventError', message: expect.stringMatching(/none of its 2 findings.*detail\.findings\[0\]\.ProductArn/) }),
    );
  });

  it('reads the GuardDuty finding type back from the ASFF Types namespace', () => {
    const finding = only(normalizeEvent(sample('security-hub/guardduty-iam-access-key'), DEPLOYMENT));
    expect(finding).toMatchObject({
      type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      resource: { arn: 'arn:aws:iam::111122223333:user/member-batch', type: 'AWS::IAM::User', region: 'eu-west-1' },
    });
  });

  it('maps Config findings to the managed rule and Compliance PASSED to RESOLVED', () => {
    const event = sample('security-hub/config-s3-bucket-failed');
    const asff = (event.detail as { findings: Array<Record<string, unknown>> }).findings[0] as Record<string, unknown>;
    expect(only(normalizeEvent(event, DEPLOYMENT))).toMatchObject({ type: 's3-bucket-public-write-prohibited', status: 'ACTIVE', severity: 'CRITICAL' });
    asff.Compliance = { Status: 'PASSED' };
    expect(only(normalizeEvent(event, DEPLOYMENT)).status).toBe('RESOLVED');
    asff.Compliance = { Status: 'NOT_AVAILABLE' };
    expect(normalizeEvent(event, DEPLOYMENT)).toMatchObject({ kind: 'ignored' });
  });

  it('gives Access Analyzer findings the same severity and exposure as the direct event would', () => {
    const finding = only(normalizeEvent(sample('security-hub/access-analyzer-kms-key-public'), DEPLOYMENT));
    expect(finding).toMatchObject({ type: 'ExternalAccess', severity: 'CRITICAL', exposure: { isPublic: true, principals: ['*'], actions: ['kms:Decrypt'] } });
  });

  it('ignores what the direct rules of the deployment deliver, and keeps it without deployment facts', () => {
    const event = sample('security-hub/access-analyzer-same-region-as-direct-rule');
    expect(normalizeEvent(event, DEPLOYMENT)).toMatchObject({ kind: 'ignored' });
    expect(only(normalizeEvent(event, {})).resource.arn).toBe('arn:aws:s3:::remediator-demo-public-assets');
  });

  it('ignores Config findings of its own account and region only', () => {
    const event = sample('security-hub/config-s3-bucket-failed');
    const sameAccount = { homeRegion: 'us-east-1', deployment: { accountId: '111122223333', region: 'us-east-1' } };
    expect(normalizeEvent(event, sameAccount)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('direct Config rule') });
    expect(findingsOf(normalizeEvent(event, DEPLOYMENT))).toHaveLength(1);
  });

  it('maps a suppressed finding to ARCHIVED and an archived record to RESOLVED', () => {
    expect(only(normalizeEvent(sample('security-hub/guardduty-suppressed'), DEPLOYMENT)).status).toBe('ARCHIVED');
    const event = sample('security-hub/guardduty-iam-access-key');
    ((event.detail as { findings: Array<Record<string, unknown>> }).findings[0] as Record<string, unknown>).RecordState = 'ARCHIVED';
    expect(only(normalizeEvent(event, DEPLOYMENT)).status).toBe('RESOLVED');
  });

  it('splits an event into single-finding events for a Map state', () => {
    const parts = splitEvent(sample('security-hub/mixed-batch')) as Array<{ detail: { findings: unknown[] } }>;
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.detail.findings).toHaveLength(1);
      expect(findingsOf(normalizeEvent(part, DEPLOYMENT))).toHaveLength(1);
    }
    expect(splitEvent(sample('guardduty/ec2-ssh-brute-force'))).toHaveLength(1);
  });
});

describe('Config', () => {
  it('closes with COMPLIANT the very finding that NON_COMPLIANT opened', () => {
    const opened = only(normalizeEvent(sample('config/s3-bucket-public-read-noncompliant'), DEPLOYMENT));
    const closed = only(normalizeEvent(sample('config/s3-bucket-public-read-compliant'), DEPLOYMENT));
    expect(opened.status).toBe('ACTIVE');
    expect(closed.status).toBe('RESOLVED');
    expect(closed.id).toBe(opened.id);
  });

  it('maps conformance-pack rule names to the managed rule', () => {
    expect(managedRuleId('lambda-function-public-access-prohibited-conformance-pack-qayjyopmd')).toBe('lambda-function-public-access-prohibited');
    expect(managedRuleId('s3-bucket-public-read-prohibited')).toBe('s3-bucket-public-read-prohibited');
    const finding = only(normalizeEvent(sample('config/conformance-pack-lambda-public-noncompliant'), DEPLOYMENT));
    expect(finding).toMatchObject({ type: 'lambda-function-public-access-prohibited', severity: 'CRITICAL' });
    expect(finding.id).toContain('lambda-function-public-access-prohibited-conformance-pack-qayjyopmd');
  });

  it('builds the ARN from the queue URL that Config reports', () => {
    const finding = only(normalizeEvent(sample('config/sqs-queue-by-url-noncompliant'), DEPLOYMENT));
    expect(finding.resource.arn).toBe('arn:aws:sqs:us-east-1:123456789012:remediator-demo-intake');
  });

  it('takes the resource type from the evaluation when the detail has none', () => {
    const event = sample('config/s3-bucket-public-read-noncompliant');
    delete (event.detail as Record<string, unknown>).resourceType;
    expect(only(normalizeEvent(event, DEPLOYMENT)).resource.type).toBe('AWS::S3::Bucket');
  });

  it('rejects an unknown compliance type naming the field', () => {
    const event = sample('config/s3-bucket-public-read-noncompliant');
    ((event.detail as Record<string, Record<string, unknown>>).newEvaluationResult as Record<string, unknown>).complianceType = 'MAYBE';
    expect(() => normalizeEvent(event, DEPLOYMENT)).toThrow(
      expect.objectContaining({ name: 'InvalidEventError', message: expect.stringContaining('detail.newEvaluationResult.complianceType') }),
    );
  });
});

describe('GuardDuty', () => {
  it('recognises sample findings', () => {
    const finding = only(normalizeEvent(sample('guardduty/sample-s3-bucket-public-access-granted'), DEPLOYMENT));
    expect(finding).toMatchObject({ sample: true, resource: { arn: 'arn:aws:s3:::bucketName' } });
    expect(only(normalizeEvent(sample('guardduty/s3-bucket-public-access-granted'), DEPLOYMENT)).sample).toBe(false);
  });

  it('names the role behind an assumed-role session and maps the severity score', () => {
    const finding = only(normalizeEvent(sample('guardduty/iam-instance-credential-exfiltration'), DEPLOYMENT));
    expect(finding).toMatchObject({ severity: 'HIGH', resource: { arn: 'arn:aws:iam::123456789012:role/web-instance-role', type: 'AWS::IAM::Role' } });
  });

  it('rejects root credential findings as unsupported', () => {
    const event = sample('guardduty/iam-user-malicious-ip-caller');
    const details = (event.detail as { resource: { accessKeyDetails: Record<string, unknown> } }).resource.accessKeyDetails;
    details.userType = 'Root';
    expect(() => normalizeEvent(event, DEPLOYMENT)).toThrow(
      expect.objectContaining({ name: 'UnsupportedEventError', message: expect.stringContaining('detail.resource.accessKeyDetails') }),
    );
  });

  it('rejects an S3 finding that names no bucket', () => {
    const event = sample('guardduty/s3-bucket-public-access-granted');
    (event.detail as { resource: Record<string, unknown> }).resource.s3BucketDetails = [];
    expect(() => normalizeEvent(event, DEPLOYMENT)).toThrow(
      expect.objectContaining({ name: 'InvalidEventError', message: expect.stringContaining('detail.resource.s3BucketDetails') }),
    );
  });
});

describe('manual requests', () => {
  it('derive type, account and region from the ARN, and the rest from the envelope', () => {
    const finding = only(normalizeEvent(sample('manual/s3-deny-all-bucket-policy'), DEPLOYMENT));
    expect(finding).toMatchObject({
      id: 'manual/7e1d2c3b-4a59-4687-9a8b-0c1d2e3f4a01',
      source: 'manual',
      type: 'ManualRequest',
      resource: { arn: 'arn:aws:s3:::remediator-demo-public-assets', type: 'AWS::S3::Bucket', accountId: '123456789012', region: 'us-east-1' },
      request: { controlId: 's3-deny-all-bucket-policy', requestedBy: expect.any(String) },
    });
  });

  it('carry what the operator asked for: control, mode, who and why', () => {
    const finding = only(normalizeEvent(sample('manual/kms-key-dry-run'), DEPLOYMENT));
    expect(finding.request).toMatchObject({ controlId: 'kms-remove-external-statements', mode: 'dry-run' });
    expect(finding.request?.requestedBy.length).toBeGreaterThan(0);
  });

  it('accept a resource type the ARN does not tell when it is given', () => {
    const event = sample('manual/cloudfront-needs-resource-type');
    (event.detail as Record<string, unknown>).resourceType = 'AWS::CloudFront::Distribution';
    expect(only(normalizeEvent(event, DEPLOYMENT)).resource).toEqual({
      arn: 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE',
      type: 'AWS::CloudFront::Distribution',
      accountId: '123456789012',
      region: 'us-east-1',
    });
  });

  it('reject a resource type that contradicts the ARN', () => {
    const event = sample('manual/kms-key-dry-run');
    (event.detail as Record<string, unknown>).resourceType = 'AWS::S3::Bucket';
    expect(() => normalizeEvent(event, DEPLOYMENT)).toThrow(
      expect.objectContaining({ name: 'InvalidEventError', message: expect.stringMatching(/^remediator\.manual event: detail\.resourceType: .*contradicts/) }),
    );
  });

  it('reject an unknown mode and a malformed nonce, naming the fields', () => {
    const event = sample('manual/kms-key-dry-run');
    const detail = event.detail as Record<string, unknown>;
    detail.mode = 'yolo';
    detail.nonce = 'not-hex';
    expect(() => normalizeEvent(event, DEPLOYMENT)).toThrow(
      expect.objectContaining({ name: 'InvalidEventError', message: expect.stringMatching(/detail\.mode: .*detail\.nonce: /) }),
    );
  });

  it('never take the typed requester for the requester: it is "unproven" until STS proves who signed the request', () => {
    const result = normalizeEvent(sample('manual/kms-key-dry-run'), DEPLOYMENT);
    if (result.kind !== 'findings') throw new Error('expected a finding');
    expect(result.findings[0]!.request?.requestedBy).toBe('unproven');
  });
});

describe('bad input', () => {
  it.each([
    ['not JSON', '{"version": "0", "id": ', /^unknown event: the event is not JSON$/],
    ['JSON that is not an object', '[1, 2, 3]', /^unknown event: \(root\): /],
    ['a number', 42, /^unknown event: /],
    ['null', null, /^unknown event: /],
  ])('%s is an InvalidEventError', (_label, input, message) => {
    expect(() => normalizeEvent(input, {})).toThrow(expect.objectContaining({ name: 'InvalidEventError', message: expect.stringMatching(message) }));
  });

  it('an envelope with missing or mistyped fields names them and the source', () => {
    const event = sample('guardduty/ec2-ssh-brute-force');
    delete event.id;
    event.account = 12345;
    event.time = 'yesterday';
    expect(() => normalizeEvent(event, {})).toThrow(
      expect.objectContaining({ name: 'InvalidEventError', message: expect.stringMatching(/^aws\.guardduty event: .*id: .*account: .*time: /) }),
    );
  });

  it('a detail with wrong types names the field and the source', () => {
    const event = sample('guardduty/ec2-ssh-brute-force');
    (event.detail as Record<string, unknown>).severity = 'high';
    expect(() => normalizeEvent(event, {})).toThrow(
      expect.objectContaining({ name: 'InvalidEventError', message: expect.stringMatching(/^aws\.guardduty event: detail\.severity: /) }),
    );
  });

  it('a huge event is refused before it is parsed further', () => {
    const event = sample('access-analyzer/s3-bucket-public');
    (event.detail as Record<string, unknown>).action = Array.from({ length: 30_000 }, (_, index) => `s3:Action${index}`);
    expect(JSON.stringify(event).length).toBeGreaterThan(MAX_EVENT_BYTES);
    expect(() => normalizeEvent(event, {})).toThrow(
      expect.objectContaining({ name: 'InvalidEventError', message: expect.stringMatching(/^aws\.access-analyzer event: the event is \d+ bytes, over the 262144-byte/) }),
    );
    expect(() => normalizeEvent(JSON.stringify(event), {})).toThrow(expect.objectContaining({ name: 'InvalidEventError' }));
  });

  it('errors carry the source in their context, for the audit record', () => {
    try {
      normalizeEvent({ ...sample('config/s3-bucket-public-read-noncompliant'), detail: {} }, {});
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ name: 'InvalidEventError', context: { source: 'aws.config', field: 'detail' } });
    }
  });
});

describe('Config on any resource type', () => {
  it('keeps a resource Config names by id only as it gave it, marked idOnly, with the rule', () => {
    const account = only(normalizeEvent(sample('config/account-cloudtrail-enabled-noncompliant'), DEPLOYMENT));
    expect(account).toMatchObject({
      type: 'cloudtrail-enabled',
      status: 'ACTIVE',
      resource: { arn: '123456789012', type: 'AWS::::Account', accountId: '123456789012', region: 'us-east-1', idOnly: true },
      labels: { configRuleName: 'cloudtrail-enabled' },
    });
    const logGroup = only(normalizeEvent(sample('config/log-group-retention-noncompliant'), DEPLOYMENT));
    expect(logGroup.resource).toMatchObject({ arn: '/aws/lambda/orders-api', type: 'AWS::Logs::LogGroup', idOnly: true });
    expect(logGroup.labels.annotation).toBe('Log group retention is not set.');
  });

  it('builds the ARN where it can, and keeps an ARN Config gives for a type it does not know', () => {
    expect(only(normalizeEvent(sample('config/ebs-volume-unencrypted-noncompliant'), DEPLOYMENT)).resource).toEqual({
      arn: 'arn:aws:ec2:us-east-1:123456789012:volume/vol-0a1b2c3d4e5f60718',
      type: 'AWS::EC2::Volume',
      accountId: '123456789012',
      region: 'us-east-1',
    });
    const balancer = only(normalizeEvent(sample('config/load-balancer-compliant'), DEPLOYMENT));
    expect(balancer).toMatchObject({ status: 'RESOLVED', resource: { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer' } });
    expect(balancer.resource.idOnly).toBeUndefined();
  });

  it('closes (COMPLIANT) on any type, including one named by id only', () => {
    const event = sample('config/log-group-retention-noncompliant');
    (event.detail as { newEvaluationResult: { complianceType: string } }).newEvaluationResult.complianceType = 'COMPLIANT';
    expect(only(normalizeEvent(event, DEPLOYMENT))).toMatchObject({ status: 'RESOLVED', resource: { idOnly: true } });
  });

  it('still refuses an ARN that breaks the rules of its own type', () => {
    const event = sample('config/s3-bucket-public-read-noncompliant');
    (event.detail as { resourceId: string }).resourceId = 'arn:aws:s3:us-east-1:123456789012:bucket';
    expect(() => normalizeEvent(event, DEPLOYMENT)).toThrow(expect.objectContaining({ name: 'InvalidEventError', message: expect.stringContaining('carries a region') }));
  });

  it('ignores every other Config detail-type on purpose', () => {
    for (const name of ['config/configuration-item-change', 'config/oversized-configuration-item']) {
      expect(normalizeEvent(sample(name), DEPLOYMENT)).toMatchObject({ kind: 'ignored' });
    }
    const other = { ...sample('config/configuration-item-change'), 'detail-type': 'Config Rules Re-evaluation Status' };
    expect(normalizeEvent(other, DEPLOYMENT)).toEqual({ kind: 'ignored', reason: expect.stringContaining('Config Rules Re-evaluation Status') });
  });
});

describe('samples in every format', () => {
  it.each([
    'guardduty/sample-s3-bucket-public-access-granted',
    'guardduty/sample-flag-in-additional-info-value',
    'security-hub/guardduty-sample-flag-as-json-string',
    'security-hub/guardduty-sample-unprefixed-key',
  ])('%s is a sample', (name) => {
    expect(only(normalizeEvent(sample(name), DEPLOYMENT)).sample).toBe(true);
  });

  it.each([true, 'true', 'TRUE', ' True '])('GuardDuty additionalInfo.sample %j is a sample', (flag) => {
    const event = sample('guardduty/s3-bucket-public-access-granted');
    (event.detail as { service: Record<string, unknown> }).service.additionalInfo = { sample: flag };
    expect(only(normalizeEvent(event, DEPLOYMENT)).sample).toBe(true);
  });

  it.each([false, 'false', 'yes', 1, null])('GuardDuty additionalInfo.sample %j is not, and is never an error', (flag) => {
    const event = sample('guardduty/s3-bucket-public-access-granted');
    (event.detail as { service: Record<string, unknown> }).service.additionalInfo = { sample: flag };
    expect(only(normalizeEvent(event, DEPLOYMENT)).sample).toBe(false);
  });

  it.each([
    [{ 'aws/guardduty/service/additionalInfo/sample': 'true' }, true],
    [{ 'additionalInfo/sample': 'true' }, true],
    [{ 'aws/guardduty/service/additionalInfo': '{"sample":true}' }, true],
    [{ 'aws/guardduty/service/additionalInfo': '{"value":{"sample":"true"}}' }, true],
    [{ 'aws/guardduty/service/additionalInfo/sample': 'false' }, false],
    [{ 'aws/guardduty/service/additionalInfo': '{"sample":false}' }, false],
    [{ 'aws/guardduty/service/additionalInfo': '{not json' }, false],
  ])('Security Hub ProductFields %j: sample %s', (fields, expected) => {
    const event = sample('security-hub/guardduty-iam-access-key');
    const finding = (event.detail as { findings: Array<{ ProductFields: Record<string, string> }> }).findings[0]!;
    finding.ProductFields = { ...finding.ProductFields, ...fields };
    expect(only(normalizeEvent(event, DEPLOYMENT)).sample).toBe(expected);
  });

  it('ignores a sample whose resource cannot be named, instead of failing', () => {
    expect(normalizeEvent(sample('guardduty/sample-string-flag-eks-cluster'), DEPLOYMENT)).toMatchObject({ kind: 'ignored' });
    expect(() => normalizeEvent(sample('guardduty/eks-cluster-unsupported'), DEPLOYMENT)).toThrow(expect.objectContaining({ name: 'UnsupportedEventError' }));
  });
});

describe('Security Hub details the normalizer does not model', () => {
  it('names the principal behind an access key whose Id is not an ARN, whatever else Details holds', () => {
    expect(only(normalizeEvent(sample('security-hub/guardduty-access-key-id-not-arn-unknown-details'), DEPLOYMENT)).resource).toEqual({
      arn: 'arn:aws:iam::111122223333:role/ec2-app-role',
      type: 'AWS::IAM::Role',
      accountId: '111122223333',
      region: 'eu-west-1',
    });
  });

  it('ignores, with the reason, an access key that names no principal', () => {
    expect(normalizeEvent(sample('security-hub/guardduty-access-key-without-principal'), DEPLOYMENT)).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining('names no principal'),
    });
  });

  it('reads the grant from Details.Other even when other Details shapes are unknown', () => {
    const finding = only(normalizeEvent(sample('security-hub/access-analyzer-unknown-details-shapes'), DEPLOYMENT));
    expect(finding.exposure).toMatchObject({ isPublic: false, principals: ['444455556666'], actions: ['s3:GetObject', 's3:GetObjectVersion'] });
    expect(finding.labels).toEqual({ product: 'access-analyzer', productArn: 'arn:aws:securityhub:us-west-2::product/aws/access-analyzer' });
  });
});

describe('partitions', () => {
  it.each([
    'access-analyzer/s3-bucket-aws-cn-partition',
    'config/s3-bucket-aws-cn-noncompliant',
    'guardduty/s3-bucket-aws-us-gov-partition',
    'manual/s3-bucket-aws-us-gov-partition',
  ])('%s is refused at classification, saying which partition', (name) => {
    expect(() => normalizeEvent(sample(name), DEPLOYMENT)).toThrow(
      expect.objectContaining({ name: 'UnsupportedEventError', message: expect.stringMatching(/is in partition aws-(cn|us-gov); this deployment acts in partition aws only/) }),
    );
  });

  it('acts in the partition the deployment names', () => {
    const finding = only(normalizeEvent(sample('access-analyzer/s3-bucket-aws-cn-partition'), { partition: 'aws-cn' }));
    expect(finding.resource.arn).toBe('arn:aws-cn:s3:::remediator-demo-public-assets');
    expect(() => normalizeEvent(sample('access-analyzer/s3-bucket-public'), { partition: 'aws-cn' })).toThrow(/partition aws; this deployment acts in partition aws-cn only/);
  });

  it('refuses one foreign finding of a Security Hub batch and keeps its siblings', () => {
    const event = sample('security-hub/mixed-batch');
    const findings = (event.detail as { findings: Array<{ Resources: Array<{ Id: string }> }> }).findings;
    const bucket = findings.find((finding) => finding.Resources[0]!.Id.startsWith('arn:aws:s3:::'))!;
    bucket.Resources[0]!.Id = bucket.Resources[0]!.Id.replace('arn:aws:', 'arn:aws-cn:');
    const result = normalizeEvent(event, DEPLOYMENT);
    expect(findingsOf(result)).toHaveLength(findings.length - 1);
    expect(result.kind === 'findings' && result.rejected).toEqual([expect.objectContaining({ errorName: 'UnsupportedEventError', error: expect.stringContaining('aws-cn') })]);
  });

  it('calls an S3 bucket ARN with a region and account invalid at classification', () => {
    expect(() => normalizeEvent(sample('manual/s3-bucket-arn-with-region-and-account'), DEPLOYMENT)).toThrow(
      expect.objectContaining({ name: 'InvalidEventError', message: expect.stringContaining('carries a region') }),
    );
  });
});

describe('prototype pollution', () => {
  const event = sample('access-analyzer/s3-bucket-public') as { detail: Record<string, unknown> };
  it('refuses an event with a __proto__ key anywhere, naming where', () => {
    const text = JSON.stringify(event).replace('"detail":{', '"detail":{"__proto__":{"isPublic":true},');
    expect(() => normalizeEvent(text, DEPLOYMENT)).toThrow(/detail\.__proto__: .*prototype-pollution/);
    expect(() => normalizeEvent(JSON.parse(text), DEPLOYMENT)).toThrow(expect.objectContaining({ name: 'InvalidEventError' }));
  });
  it('refuses constructor.prototype, and leaves a plain constructor key (a tag of that name) to the schema', () => {
    const polluted = { ...event, detail: { ...event.detail, constructor: { prototype: { isAdmin: true } } } };
    expect(() => normalizeEvent(polluted, DEPLOYMENT)).toThrow(/detail\.constructor\.prototype/);
    const tagged = { ...event, detail: { ...event.detail, constructor: 'a tag value' } };
    expect(() => normalizeEvent(tagged, DEPLOYMENT)).not.toThrow();
  });
});
