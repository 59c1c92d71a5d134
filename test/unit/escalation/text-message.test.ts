import { describe, expect, it } from 'vitest';
import { requestView } from '../../../lib/escalation/request-view';
import { SNS_LIMITS, textRequestMessage } from '../../../lib/escalation/text-message';
import { FindingSchema } from '../../../lib/finding';

const finding = FindingSchema.parse({
  id: 'f-1',
  source: 'config',
  type: 's3-bucket-public-read-prohibited',
  status: 'ACTIVE',
  severity: 'HIGH',
  resource: { arn: `arn:aws:s3:::${'a-very-long-bucket-name-'.repeat(3)}prod`, type: 'AWS::S3::Bucket', accountId: '123456789012', region: 'eu-west-1' },
  observedAt: '2026-11-30T10:00:00Z',
  raw: { eventId: 'e', source: 'aws.config' },
});
const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] });
const view = requestView({
  finding,
  ruleId: 'approve-production-buckets',
  executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:m:run',
  zone: { accountIds: ['123456789012'] },
  plan: { controlId: 's3-remove-external-statements', summary: 'Delete the bucket policy', before: { policy }, after: { policy: null } },
});
const links = [
  { action: 'approve' as const, label: 'Approve', url: 'https://api.example/approvals/apr_1/approve?expires=1&sig=a' },
  { action: 'reject' as const, label: 'Reject', url: 'https://api.example/approvals/apr_1/reject?expires=1&sig=b' },
];

describe('the plain-text request of the SNS fallback', () => {
  const message = textRequestMessage({ title: 'Remediation needs your approval', view, links, expiresAt: '2026-12-04T07:00:00.000Z', approvalId: 'apr_1' });

  it('has a one-line subject of at most 100 characters naming the resource', () => {
    expect(message.subject.length).toBeLessThanOrEqual(SNS_LIMITS.subject);
    expect(message.subject).toMatch(/^Remediation needs your approval: arn:aws:s3:::a-very-long/);
    expect(message.subject).not.toMatch(/\n/);
  });

  it('says what was found, who could reach it, the diff, who loses access, and when the links expire', () => {
    for (const expected of [
      'Account:  123456789012 / eu-west-1',
      'Finding:  config · s3-bucket-public-read-prohibited · HIGH',
      'Since:    2026-11-30T10:00:00Z (first observed)',
      '  - anyone (public): s3:GetObject — policy statement Open',
      '--- policy (before)\n+++ policy (after: none)',
      'Full plan: remediate plan s3-remove-external-statements --resource arn:aws:s3:::',
      'Who loses access:\n  - anyone (public): s3:GetObject — policy statement Open',
      'These links expire at 2026-12-04T07:00:00.000Z.',
    ]) {
      expect(message.body).toContain(expected);
    }
  });

  it('lists one link per answer, labelled', () => {
    expect(message.body).toContain('Approve: https://api.example/approvals/apr_1/approve?expires=1&sig=a\nReject: https://api.example/approvals/apr_1/reject?expires=1&sig=b');
  });
});
