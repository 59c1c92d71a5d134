import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditStore } from '../../../lib/audit/store';
import type { Finding } from '../../../lib/finding';
import { parseRules } from '../../../lib/rules/load';
import { classify, findingKey } from '../../../lib/workflow/classify-finding';
import { accessAnalyzerEvent } from '../../../local/fixtures';

const rules = parseRules(readFileSync('remediator.rules.yaml', 'utf8'));

/** An audit table in memory with the claim semantics of the DynamoDB one (tested on the emulator). */
function claims(): Pick<AuditStore, 'claimFinding'> {
  const owners = new Map<string, string>();
  return {
    claimFinding: async (key, executionArn) => {
      if (!owners.has(key)) owners.set(key, executionArn);
      return owners.get(key)!;
    },
  };
}

const deps = (audit = claims()) => ({ rules, audit: audit as AuditStore, region: 'us-east-1', accountId: '123456789012', rescanWaitSeconds: null, authenticate: async (finding: Finding) => finding });

describe('Classify Finding', () => {
  it('turns an Access Analyzer event into a finding and a decision', async () => {
    const output = await classify({ event: accessAnalyzerEvent('public-assets'), execution: 'arn:exec:1' }, deps());
    expect(output).toMatchObject({
      finding: { source: 'access-analyzer', resource: { arn: 'arn:aws:s3:::public-assets' }, exposure: { isPublic: true } },
      decision: { action: 'REMEDIATE', controlId: 's3-deny-all-bucket-policy' },
    });
  });

  it('starts an approval at round 1, and counts no rounds where nobody is asked', async () => {
    const approve = await classify({ event: accessAnalyzerEvent('acme-prod-ledger'), execution: 'arn:exec:1' }, deps());
    expect(approve).toMatchObject({ decision: { action: 'APPROVE' }, rounds: { approval: 1 } });
    const auto = await classify({ event: accessAnalyzerEvent('public-assets'), execution: 'arn:exec:2' }, deps());
    expect(auto).not.toHaveProperty('rounds');
  });

  it('accepts the JSON text of an event as well as the object', async () => {
    const output = await classify({ event: JSON.stringify(accessAnalyzerEvent('bucket-b')), execution: 'arn:exec:1' }, deps());
    expect(output).toHaveProperty('decision.action', 'REMEDIATE');
  });

  it('ignores a second delivery of the same finding version', async () => {
    const audit = claims();
    const event = accessAnalyzerEvent('bucket-b', { findingId: 'same' });
    await classify({ event, execution: 'arn:exec:1' }, deps(audit));
    const second = await classify({ event: { ...event, id: 'redelivered' }, execution: 'arn:exec:2' }, deps(audit));
    expect(second).toMatchObject({ decision: { action: 'IGNORE', reason: expect.stringContaining('arn:exec:1') } });
  });

  it('keys a finding version by source, id, status and update time', async () => {
    const output = (await classify({ event: accessAnalyzerEvent('bucket-b', { findingId: 'k' }), execution: 'x' }, deps())) as { finding: Parameters<typeof findingKey>[0] };
    expect(findingKey(output.finding)).toMatch(/^access-analyzer#k#[0-9a-f]{16}$/);
    expect(findingKey({ ...output.finding, status: 'RESOLVED' })).not.toBe(findingKey(output.finding));
  });

  it('accepts a finding handed over by a fan-out, and rejects a malformed one by name', async () => {
    const first = (await classify({ event: accessAnalyzerEvent('bucket-b'), execution: 'x' }, deps())) as { finding: unknown };
    await expect(classify({ event: { remediator: 'finding', finding: first.finding }, execution: 'y' }, deps())).resolves.toHaveProperty('decision');
    await expect(classify({ event: { remediator: 'finding', finding: { id: 1 } }, execution: 'z' }, deps())).rejects.toMatchObject({ name: 'InvalidEventError' });
  });

  it('checks a fan-out finding again as it would an event: another partition, an S3 ARN with an account, a second account', async () => {
    const first = (await classify({ event: accessAnalyzerEvent('bucket-c'), execution: 'x' }, deps())) as { finding: Finding };
    const withArn = (arn: string, extra: Partial<Finding['resource']> = {}) => ({
      remediator: 'finding',
      finding: { ...first.finding, resource: { ...first.finding.resource, arn, ...extra } },
    });
    await expect(classify({ event: withArn('arn:aws-cn:s3:::bucket-c'), execution: 'a' }, deps())).rejects.toMatchObject({
      name: 'UnsupportedEventError',
      message: expect.stringContaining('partition aws-cn'),
    });
    await expect(classify({ event: withArn('arn:aws:s3:us-east-1:123456789012:bucket-c'), execution: 'b' }, deps())).rejects.toMatchObject({ name: 'InvalidEventError' });
    const key = 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await expect(classify({ event: withArn(key, { type: 'AWS::KMS::Key' }), execution: 'c' }, deps())).rejects.toMatchObject({
      name: 'InvalidEventError',
      message: expect.stringContaining('is not the account of'),
    });
  });

  it('returns a batch for a Security Hub event with several findings', async () => {
    const event = JSON.parse(readFileSync('events/security-hub/mixed-batch-one-bad.json', 'utf8'));
    const output = await classify({ event, execution: 'x' }, deps());
    expect(output).toMatchObject({ batch: { findings: [{ source: 'security-hub' }, { source: 'security-hub' }], rejected: [{ errorName: 'InvalidEventError' }] } });
  });
});

describe('exceptions by resource tag', () => {
  const allowing = parseRules(readFileSync('remediator.rules.yaml', 'utf8').replace('exceptions: []', 'exceptions: []\nexceptionTags: { allow: true }'));
  const now = () => new Date('2026-12-02T12:00:00Z');
  const withTags = (tags: Record<string, string> | Error, rulesFile = allowing) => ({
    ...deps(),
    rules: rulesFile,
    now,
    readTags: async () => {
      if (tags instanceof Error) throw tags;
      return tags;
    },
  });
  const ticket = { 'remediator:exception': 'SEC-1234', 'remediator:exception-owner': 'web-team', 'remediator:exception-expires': '2027-01-15' };

  it('excepts a resource whose tags carry a ticket, an owner and an expiry within maxDays, when the rules file allows it', async () => {
    const output = await classify({ event: accessAnalyzerEvent('tagged-site'), execution: 'arn:exec:t1' }, withTags(ticket));
    expect(output).toMatchObject({ decision: { action: 'EXCEPTED', ruleId: 'exception:tag-sec-1234', reason: expect.stringContaining('owner web-team') } });
  });

  it('does not read tags when the rules file does not allow exceptions by tag', async () => {
    let read = 0;
    const output = await classify({ event: accessAnalyzerEvent('tagged-site'), execution: 'arn:exec:t2' }, { ...withTags(ticket, rules), readTags: async () => (read++, ticket) });
    expect(output).toMatchObject({ decision: { action: 'REMEDIATE' } });
    expect(read).toBe(0);
  });

  it('fixes, and says why, when the tag does not qualify or the tags cannot be read', async () => {
    const far = await classify({ event: accessAnalyzerEvent('tagged-far'), execution: 'arn:exec:t3' }, withTags({ ...ticket, 'remediator:exception-expires': '2028-01-01' }));
    expect(far).toMatchObject({ decision: { action: 'REMEDIATE', reason: expect.stringContaining('more than 90 days away') } });
    const denied = await classify({ event: accessAnalyzerEvent('tagged-denied'), execution: 'arn:exec:t4' }, withTags(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' })));
    expect(denied).toMatchObject({ decision: { action: 'REMEDIATE', reason: expect.stringContaining('tags could not be read') } });
  });
});

describe('accounts opted in by OU', () => {
  const byOu = parseRules(readFileSync('remediator.rules.yaml', 'utf8').replace('exceptions: []', 'exceptions: []\naccounts: { ous: [ou-ab12-prod0001] }'));
  const event = () => accessAnalyzerEvent('member-site', { accountId: '222222222222' });
  const withPath = (ouPathOf: (id: string) => Promise<readonly string[]>) => ({ ...deps(), rules: byOu, ouPathOf });

  it('acts on an account under an opted-in OU, and notifies one elsewhere, naming the OUs', async () => {
    await expect(classify({ event: event(), execution: 'arn:exec:ou1' }, withPath(async () => ['ou-ab12-prod0001', 'r-ab12']))).resolves.toMatchObject({ decision: { action: 'REMEDIATE' } });
    await expect(classify({ event: event(), execution: 'arn:exec:ou2' }, withPath(async () => ['ou-ab12-sandbox1', 'r-ab12']))).resolves.toMatchObject({
      decision: { action: 'NOTIFY', reason: expect.stringContaining('in none of the opted-in OUs (ou-ab12-prod0001)') },
    });
  });

  it('fails closed (notifies) when the OU path cannot be read', async () => {
    const failing = withPath(async () => {
      throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    });
    await expect(classify({ event: event(), execution: 'arn:exec:ou3' }, failing)).resolves.toMatchObject({ decision: { action: 'NOTIFY', reason: expect.stringContaining('is not known') } });
  });
});
