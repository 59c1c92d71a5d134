/** Which keys iam-deactivate-access-key takes (pure; the IAM calls run on the emulator). */
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import { selectKeys } from '../../../lib/controls/iam-deactivate-access-key';
import type { ControlContext } from '../../../lib/controls/types';
import { finding as testFinding } from '../../support/finding';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const daysAgo = (days: number) => new Date(NOW - days * 86_400_000);
const KEYS = [
  { AccessKeyId: 'AKIAOLD', Status: 'Active' as const, CreateDate: daysAgo(200) },
  { AccessKeyId: 'AKIAMID', Status: 'Inactive' as const, CreateDate: daysAgo(100) },
  { AccessKeyId: 'AKIANEW', Status: 'Active' as const, CreateDate: daysAgo(10) },
];

const ctx = (source: 'config' | 'guardduty', type: string, labels: Record<string, string> = {}): ControlContext => ({
  finding: testFinding({
    id: 'f',
    source,
    type,
    severity: 'HIGH',
    resource: { arn: 'arn:aws:iam::123456789012:user/legacy-reporting', type: 'AWS::IAM::User', accountId: '123456789012', region: 'us-east-1' },
    labels,
    raw: { eventId: 'e', source: `aws.${source}` },
    exposure: null,
  }),
  zone: { accountIds: ['123456789012'] },
  exemptPrincipalArns: [],
  clients: new AwsClients({ region: 'us-east-1' }),
});

const ids = (selection: ReturnType<typeof selectKeys>) => selection.keys.map((k) => k.AccessKeyId);

describe('iam-deactivate-access-key key selection', () => {
  it('takes only the key the finding names', () => {
    expect(ids(selectKeys(ctx('guardduty', 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', { accessKeyId: 'AKIANEW' }), KEYS, NOW))).toEqual(['AKIANEW']);
  });

  it('access-keys-rotated: keys older than 90 days by default, or the rule’s maxAccessKeyAge, whatever their status', () => {
    expect(ids(selectKeys(ctx('config', 'access-keys-rotated'), KEYS, NOW))).toEqual(['AKIAOLD', 'AKIAMID']);
    expect(ids(selectKeys(ctx('config', 'access-keys-rotated', { maxAccessKeyAge: '150' }), KEYS, NOW))).toEqual(['AKIAOLD']);
  });

  it('every key of the user when the finding names none', () => {
    expect(ids(selectKeys(ctx('guardduty', 'CredentialAccess:IAMUser/AnomalousBehavior'), KEYS, NOW))).toEqual(['AKIAOLD', 'AKIAMID', 'AKIANEW']);
  });
});
