/**
 * The rules file fails closed (approvers), names its Slack workspace, and carries exceptions
 * with an owner and an expiry; triage records an excepted finding as EXCEPTED.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidRulesError } from '../../../lib/errors';
import { FindingSchema, type Finding } from '../../../lib/finding';
import { parseRules } from '../../../lib/rules/load';
import { triage } from '../../../lib/rules/triage';

const shipped = readFileSync('remediator.rules.yaml', 'utf8');
const NOW = new Date('2026-12-02T12:00:00Z');

function bucket(arn = 'arn:aws:s3:::public-assets'): Finding {
  return FindingSchema.parse({
    id: 'f-1',
    source: 'access-analyzer',
    type: 'ExternalAccess',
    status: 'ACTIVE',
    severity: 'CRITICAL',
    resource: { arn, type: 'AWS::S3::Bucket', accountId: '123456789012', region: 'us-east-1' },
    observedAt: '2026-11-23T09:12:40Z',
    raw: { eventId: 'e-1', source: 'aws.access-analyzer' },
  });
}

const withExceptions = (yaml: string) => parseRules(shipped.replace('exceptions: []', `exceptions:\n${yaml}`));

describe('approvers fail closed', () => {
  it('accepts the shipped file, which names approvers', () => {
    const rules = parseRules(shipped);
    expect(rules.routes.default.approvers).toContain('U0APPROVER');
  });

  it('refuses a default route without approvers, saying which route', () => {
    const text = shipped.replace(/approvers: \[[^\]]*\]/, 'approvers: []');
    expect(() => parseRules(text)).toThrow(InvalidRulesError);
    expect(() => parseRules(text)).toThrow(/routes\.default\.approvers: route "default" names no approvers/);
  });

  it('refuses an account route without approvers when a rule can approve or escalate there', () => {
    const text = shipped.replace('accounts: {}', 'accounts:\n    "111111111111": { slackChannel: "#team-a" }');
    expect(() => parseRules(text)).toThrow(/routes\.accounts\.111111111111\.approvers: route "111111111111" names no approvers, but rule approve-production-buckets \(mode approve\)/);
  });

  it('lets an account route go without approvers when every rule only notifies', () => {
    const text = shipped
      .replace('accounts: {}', 'accounts:\n    "111111111111": { slackChannel: "#team-a" }')
      .replaceAll('mode: approve', 'mode: notify')
      .replaceAll('mode: auto', 'mode: notify');
    expect(parseRules(text).routes.accounts['111111111111']?.approvers).toEqual([]);
  });
});

describe('exceptions', () => {
  const site = `  - id: public-site
    match: { resource.arn: { eq: ["arn:aws:s3:::public-assets"] } }
    owner: web-team
    reason: the public website, SEC-1234
    expires: 2027-06-30`;

  it('record a matching finding as EXCEPTED, naming owner, reason and expiry; nothing is changed', () => {
    const decision = triage(bucket(), withExceptions(site), { now: NOW });
    expect(decision).toMatchObject({ action: 'EXCEPTED', controlId: null, ruleId: 'exception:public-site' });
    expect(decision.reason).toBe('excepted by exception:public-site (owner web-team, until 2027-06-30): the public website, SEC-1234');
  });

  it('leave other findings to the rules', () => {
    expect(triage(bucket('arn:aws:s3:::other'), withExceptions(site), { now: NOW }).action).toBe('REMEDIATE');
  });

  it('hold through the whole expiry day, and once expired are ignored with the expiry named', () => {
    const rules = withExceptions(site);
    expect(triage(bucket(), rules, { now: new Date('2027-06-30T23:00:00Z') }).action).toBe('EXCEPTED');
    const after = triage(bucket(), rules, { now: new Date('2027-07-01T00:00:01Z') });
    expect(after.action).toBe('REMEDIATE');
    expect(after.reason).toContain('exception exception:public-site (owner web-team) expired on 2027-06-30');
  });

  it('accept a date-time expiry and exceptions without an id', () => {
    const rules = withExceptions(site.replace('  - id: public-site\n    match', '  - match').replace('2027-06-30', '2026-12-02T11:00:00Z'));
    expect(triage(bucket(), rules, { now: NOW }).reason).toContain('exception:0 (owner web-team) expired on 2026-12-02T11:00:00Z');
  });

  it('must match something, and need an owner, a reason and a valid expiry', () => {
    expect(() => withExceptions(site.replace('match: { resource.arn: { eq: ["arn:aws:s3:::public-assets"] } }', 'match: {}'))).toThrow(/must match something/);
    expect(() => withExceptions(site.replace('    owner: web-team\n', ''))).toThrow(/exceptions\.0\.owner/);
    expect(() => withExceptions(site.replace('2027-06-30', 'next summer'))).toThrow(/exceptions\.0\.expires/);
  });
});
