import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidRulesError } from '../../../lib/errors';
import { FindingSchema, type Finding } from '../../../lib/finding';
import { parseRules } from '../../../lib/rules/load';
import { criterionMatches } from '../../../lib/rules/match';
import { exemptPrincipalsFor, triage, zoneFor } from '../../../lib/rules/triage';

const defaultRules = parseRules(readFileSync('remediator.rules.yaml', 'utf8'), 'remediator.rules.yaml');

function finding(overrides: Partial<Finding> & { arn?: string; resourceType?: string } = {}): Finding {
  const { arn = 'arn:aws:s3:::public-assets', resourceType = 'AWS::S3::Bucket', ...rest } = overrides;
  return FindingSchema.parse({
    id: 'f-1',
    source: 'access-analyzer',
    type: 'ExternalAccess',
    status: 'ACTIVE',
    severity: 'CRITICAL',
    resource: { arn, type: resourceType, accountId: '123456789012', region: 'us-east-1' },
    exposure: { isPublic: true, principals: ['*'], actions: ['s3:GetObject'] },
    observedAt: '2026-11-23T09:12:40Z',
    raw: { eventId: 'e-1', source: 'aws.access-analyzer' },
    ...rest,
  });
}

describe('the archive-rule filter criteria', () => {
  it('eq matches when any value is equal, neq when none is', () => {
    expect(criterionMatches(['a', 'b'], { eq: ['b'] })).toBe(true);
    expect(criterionMatches(['a'], { eq: ['b'] })).toBe(false);
    expect(criterionMatches(['a'], { neq: ['b'] })).toBe(true);
    expect(criterionMatches(['a', 'b'], { neq: ['b'] })).toBe(false);
  });

  it('contains matches substrings and exists tells presence', () => {
    expect(criterionMatches(['arn:aws:s3:::x-prod-y'], { contains: ['-prod-'] })).toBe(true);
    expect(criterionMatches(undefined, { contains: ['-prod-'] })).toBe(false);
    expect(criterionMatches(undefined, { exists: false })).toBe(true);
    expect(criterionMatches(['x'], { exists: false })).toBe(false);
  });
});

describe('triage with the default rules file', () => {
  it('remediates a public bucket automatically with the S3 deny-all control', () => {
    const decision = triage(finding(), defaultRules);
    expect(decision).toMatchObject({ action: 'REMEDIATE', mode: 'auto', ruleId: 'default', controlId: 's3-deny-all-bucket-policy' });
    expect(decision.route.slackChannel).toBe('#security-remediation');
  });

  it('asks a human first for production buckets', () => {
    expect(triage(finding({ arn: 'arn:aws:s3:::acme-prod-ledger' }), defaultRules)).toMatchObject({ action: 'APPROVE', ruleId: 'approve-production-buckets' });
  });

  it('does nothing to findings that are resolved, archived or samples', () => {
    expect(triage(finding({ status: 'RESOLVED' }), defaultRules).action).toBe('ALREADY_RESOLVED');
    expect(triage(finding({ status: 'ARCHIVED' }), defaultRules).action).toBe('IGNORE');
    expect(triage(finding({ sample: true }), defaultRules).action).toBe('IGNORE');
  });

  it('notifies instead of acting when no control handles the resource', () => {
    const decision = triage(finding({ arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/s', resourceType: 'AWS::Kinesis::Stream' }), defaultRules);
    expect(decision.action).toBe('NOTIFY');
    expect(decision.reason).toMatch(/no corrective control handles AWS::Kinesis::Stream/);
  });

  it('acts on IAM role and user findings that Access Analyzer reports from every region only in the home region', () => {
    const iam = (arn: string, type: string, region: string, source: Finding['source'] = 'access-analyzer') =>
      finding({ source, resource: { arn, type, accountId: '123456789012', region } });
    for (const [arn, type] of [
      ['arn:aws:iam::123456789012:role/app', 'AWS::IAM::Role'],
      ['arn:aws:iam::123456789012:user/alice', 'AWS::IAM::User'],
    ] as const) {
      expect(triage(iam(arn, type, 'eu-west-1'), defaultRules)).toMatchObject({ action: 'IGNORE', ruleId: 'home-region', reason: expect.stringContaining('us-east-1') });
      expect(triage(iam(arn, type, 'us-east-1'), defaultRules).ruleId).not.toBe('home-region');
      // GuardDuty reports a call made in that region: handled wherever it arrives.
      expect(triage(iam(arn, type, 'eu-west-1', 'guardduty'), defaultRules).ruleId).not.toBe('home-region');
    }
  });

  it('only notifies about resources of another account: it has no role there', () => {
    const elsewhere = finding({ resource: { arn: 'arn:aws:s3:::member-bucket', type: 'AWS::S3::Bucket', accountId: '222222222222', region: 'us-east-1' } });
    expect(triage(elsewhere, defaultRules, { accountId: '123456789012' })).toMatchObject({ action: 'NOTIFY', reason: expect.stringContaining('own account only') });
    expect(triage(finding(), defaultRules, { accountId: '123456789012' }).action).toBe('REMEDIATE');
  });

  it('lets a manual request ask for more caution than the rules, never less', () => {
    const asked = (mode: 'auto' | 'dry-run' | 'approve') =>
      triage(finding({ source: 'manual', request: { mode, requestedBy: 'alice' } }), defaultRules).action;
    expect(asked('dry-run')).toBe('DRY_RUN');
    expect(asked('approve')).toBe('APPROVE');
    const prod = finding({ arn: 'arn:aws:s3:::acme-prod-ledger', source: 'manual', request: { mode: 'auto', requestedBy: 'alice' } });
    expect(triage(prod, defaultRules).action).toBe('APPROVE');
  });

  it('lets the deployment shorten the rescan wait', () => {
    expect(triage(finding(), defaultRules, { rescanWaitSeconds: 2 }).rescan).toEqual({ waitSeconds: 2, maxAttempts: 3 });
  });

  it('puts the finding account in the zone of trust and exempts the remediation and break-glass roles', () => {
    expect(zoneFor(finding(), defaultRules)).toEqual({ accountIds: ['123456789012'] });
    expect(exemptPrincipalsFor(finding(), defaultRules, 'arn:aws:iam::123456789012:role/remediator')).toEqual([
      'arn:aws:iam::123456789012:role/remediator',
      'arn:aws:iam::123456789012:role/BreakGlassAdmin',
    ]);
  });
});

describe('the rules file schema', () => {
  const valid = readFileSync('remediator.rules.yaml', 'utf8');

  it('names the field that is wrong', () => {
    expect(() => parseRules(valid.replace('mode: auto', 'mode: yolo'))).toThrow(/rules\.1\.mode/);
    expect(() => parseRules(valid.replace('resource.arn:', 'resource.colour:'))).toThrow(InvalidRulesError);
  });

  it('requires the last rule to be an explicit default', () => {
    expect(() => parseRules(valid.replace('filter: {}', 'filter: { type: { eq: [x] } }'))).toThrow(/explicit default/);
  });

  it('rejects text that is not YAML', () => {
    expect(() => parseRules('rules: [unclosed')).toThrow(/not valid YAML/);
  });
});

describe('triage of findings no control can act on', () => {
  it('notifies, naming the rule and the resource as Config gave it, for a resource known by id only', () => {
    const account = finding({
      source: 'config',
      type: 'cloudtrail-enabled',
      resource: { arn: '123456789012', type: 'AWS::::Account', accountId: '123456789012', region: 'us-east-1', idOnly: true },
    });
    const decision = triage(account, defaultRules);
    expect(decision).toMatchObject({ action: 'NOTIFY', ruleId: 'default', controlId: null });
    expect(decision.reason).toContain('cloudtrail-enabled on AWS::::Account 123456789012');
  });

  it('notifies about a type no control handles, naming the resource', () => {
    const volume = finding({ source: 'config', type: 'encrypted-volumes', arn: 'arn:aws:ec2:us-east-1:123456789012:volume/vol-0a1b2c3d4e5f60718', resourceType: 'AWS::EC2::Volume' });
    expect(triage(volume, defaultRules).reason).toMatch(/no corrective control handles AWS::EC2::Volume \/ encrypted-volumes \(resource arn:aws:ec2:.*vol-0a1b2c3d4e5f60718\)/);
  });

  it('never acts on a sample unless a rule includes samples', () => {
    expect(triage(finding({ sample: true }), defaultRules)).toMatchObject({ action: 'IGNORE', reason: expect.stringContaining('sample finding') });
    const opted = parseRules(readFileSync('remediator.rules.yaml', 'utf8').replace('    filter: {}\n    mode: auto', '    filter: {}\n    mode: auto\n    includeSamples: true'));
    expect(triage(finding({ sample: true }), opted).action).toBe('REMEDIATE');
  });
});
