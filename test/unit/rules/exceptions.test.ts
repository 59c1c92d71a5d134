/**
 * Exceptions, checked against issue 11: owner, reason and expiry required; an expired exception is
 * ignored and its expiry named in the notification; a `remediator:exception=<ticket>` tag counts only
 * when the rules file allows it, and then only with an owner and a near expiry of its own.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exceptionFor, exceptionsFromTags, expiredExceptionNote } from '../../../lib/rules/exceptions';
import { parseRules } from '../../../lib/rules/load';
import { triage } from '../../../lib/rules/triage';
import { finding } from '../../support/finding';

const shipped = readFileSync('remediator.rules.yaml', 'utf8');
const NOW = new Date('2026-12-03T07:00:00Z');
const BUCKET = 'arn:aws:s3:::tagged-site';
const settings = (yaml = '') => parseRules(shipped.replace('exceptions: []', `exceptions: []${yaml}`)).exceptionTags;
const ALLOWED = '\nexceptionTags: { allow: true }';
const tags = (more: Record<string, string> = {}) => ({
  'remediator:exception': 'SEC-1234',
  'remediator:exception-owner': 'web-team',
  'remediator:exception-expires': '2027-01-31',
  ...more,
});

describe('exceptions by resource tag', () => {
  it('are off by default: the tag excepts nothing and the refusal says why', () => {
    expect(settings()).toMatchObject({ allow: false, key: 'remediator:exception', maxDays: 90 });
    expect(exceptionsFromTags(BUCKET, tags(), settings(), NOW)).toEqual({
      exceptions: [],
      refused: ['tag remediator:exception=SEC-1234 is not an exception: the rules file does not allow exceptions by tag (exceptionTags.allow)'],
    });
  });

  it('when allowed, become an exception for this resource that triage records as EXCEPTED', () => {
    const { exceptions, refused } = exceptionsFromTags(BUCKET, tags(), settings(ALLOWED), NOW);
    expect(refused).toEqual([]);
    expect(exceptions).toEqual([{ id: 'tag-sec-1234', match: { 'resource.arn': { eq: [BUCKET] } }, owner: 'web-team', reason: 'resource tag remediator:exception=SEC-1234', expires: '2027-01-31' }]);
    const rules = parseRules(shipped);
    const decision = triage(finding({ bucket: 'tagged-site' }), { ...rules, exceptions }, { now: NOW });
    expect(decision).toMatchObject({ action: 'EXCEPTED', ruleId: 'exception:tag-sec-1234' });
    expect(triage(finding({ bucket: 'other-site' }), { ...rules, exceptions }, { now: NOW }).action).not.toBe('EXCEPTED');
  });

  it('need an owner and a valid expiry, no further ahead than maxDays', () => {
    const allowed = settings(ALLOWED);
    const without = (key: string) => Object.fromEntries(Object.entries(tags()).filter(([k]) => k !== key));
    expect(exceptionsFromTags(BUCKET, without('remediator:exception-owner'), allowed, NOW).refused).toEqual([expect.stringContaining('no owner (tag remediator:exception-owner)')]);
    expect(exceptionsFromTags(BUCKET, without('remediator:exception-expires'), allowed, NOW).refused).toEqual([expect.stringContaining('no valid expiry')]);
    expect(exceptionsFromTags(BUCKET, tags({ 'remediator:exception-expires': 'soon' }), allowed, NOW).refused).toEqual([expect.stringContaining('no valid expiry (tag remediator:exception-expires=soon')]);
    expect(exceptionsFromTags(BUCKET, tags({ 'remediator:exception-expires': '2099-01-01' }), allowed, NOW).refused).toEqual([
      'tag remediator:exception=SEC-1234 is not an exception: its expiry 2099-01-01 is more than 90 days away (exceptionTags.maxDays)',
    ]);
    expect(exceptionsFromTags(BUCKET, tags({ 'remediator:exception-expires': '2099-01-01' }), settings('\nexceptionTags: { allow: true, maxDays: 366 }'), new Date('2098-06-01T00:00:00Z')).exceptions).toHaveLength(1);
  });

  it('read the tag keys the rules file names', () => {
    const custom = settings('\nexceptionTags: { allow: true, key: "risk:ticket", ownerKey: "risk:owner", expiresKey: "risk:until" }');
    expect(exceptionsFromTags(BUCKET, tags(), custom, NOW)).toEqual({ exceptions: [], refused: [] });
    const found = exceptionsFromTags(BUCKET, { 'risk:ticket': 'RISK 9', 'risk:owner': 'data', 'risk:until': '2026-12-31T00:00:00Z' }, custom, NOW);
    expect(found.exceptions[0]).toMatchObject({ id: 'tag-risk-9', owner: 'data', expires: '2026-12-31T00:00:00Z' });
  });

  it('an expired tag exception no longer applies, and its expiry is named', () => {
    const { exceptions } = exceptionsFromTags(BUCKET, tags({ 'remediator:exception-expires': '2026-12-01' }), settings(ALLOWED), NOW);
    const bucket = finding({ bucket: 'tagged-site' });
    expect(exceptionFor(bucket, exceptions, NOW)).toEqual({ expired: { entry: exceptions[0], label: 'exception:tag-sec-1234' } });
    expect(triage(bucket, { ...parseRules(shipped), exceptions }, { now: NOW }).reason).toContain('expired on 2026-12-01');
  });
});

describe('expiredExceptionNote', () => {
  const site = { id: 'public-site', match: { 'resource.arn': { eq: ['arn:aws:s3:::public-assets'] } }, owner: 'web-team', reason: 'the public website, SEC-1', expires: '2026-11-30' };

  it('names the exception, its owner, its reason and the day it expired', () => {
    expect(expiredExceptionNote(finding({ bucket: 'public-assets' }), [site], NOW)).toBe(
      'Exception exception:public-site (owner web-team: the public website, SEC-1) expired on 2026-11-30 and no longer applies.',
    );
  });

  it('says nothing when no exception matched, or when another one still applies', () => {
    expect(expiredExceptionNote(finding({ bucket: 'elsewhere' }), [site], NOW)).toBeNull();
    expect(expiredExceptionNote(finding({ bucket: 'public-assets' }), [site, { ...site, id: 'renewed', expires: '2027-06-30' }], NOW)).toBeNull();
  });
});
