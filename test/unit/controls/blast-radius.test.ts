import { describe, expect, it } from 'vitest';
import { describeLostAccess, identitiesLosingAccess, PUBLIC, whoLosesAccess } from '../../../lib/controls/blast-radius';
import { planDiff, truncateDiff } from '../../../lib/controls/plan-diff';
import { buildDenyAllPolicy, buildMinimalFix, type ZoneOfTrust } from '../../../lib/policy';
import { publicReadPolicy } from '../../../local/fixtures';

const ZONE: ZoneOfTrust = { accountIds: ['123456789012'] };
const BUCKET = 'arn:aws:s3:::ledger';

const mixed = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:GetObject', Resource: `${BUCKET}/*` },
    { Sid: 'OwnApp', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/app' }, Action: ['s3:GetObject', 's3:PutObject'], Resource: `${BUCKET}/*` },
  ],
});

describe('who loses access', () => {
  it('names the public and what it could do when a public policy is replaced by deny-all, and everyone inside the zone but the exempted role', () => {
    const before = { policy: publicReadPolicy('ledger') };
    const after = { policy: JSON.stringify(buildDenyAllPolicy({ kind: 's3', resourceArns: [BUCKET, `${BUCKET}/*`], exemptPrincipalArns: ['arn:aws:iam::123456789012:role/BreakGlass'], accountId: '123456789012' })) };
    const lost = whoLosesAccess(before, after, ZONE, { kind: 's3' });
    expect(lost[0]).toMatchObject({ field: 'policy', who: [PUBLIC], actions: ['s3:GetObject'], external: true });
    const deny = lost.find((entry) => entry.where.includes('added Deny'));
    expect(deny?.who[0]).toMatch(/^everyone except .*BreakGlass/);
    expect(deny?.external).toBe(false);
  });

  it('names only the outside account when the minimal fix keeps the own-account grant', () => {
    const fix = buildMinimalFix(mixed, ZONE, { kind: 's3' });
    const lost = whoLosesAccess({ policy: mixed }, { policy: JSON.stringify(fix.policy) }, ZONE, { kind: 's3' });
    expect(identitiesLosingAccess(lost)).toEqual(['444455556666']);
    expect(lost).toEqual([expect.objectContaining({ who: ['444455556666'], actions: ['s3:GetObject'], where: 'statement Partner', external: true })]);
  });

  it('shows the own-account grants a deletion takes away too, as collateral inside the zone', () => {
    const lost = whoLosesAccess({ policy: mixed }, { policy: null }, ZONE, { kind: 's3' });
    expect(lost).toContainEqual(expect.objectContaining({ who: ['arn:aws:iam::123456789012:role/app'], actions: ['s3:GetObject', 's3:PutObject'], external: false }));
    expect(describeLostAccess(lost).join('\n')).toMatch(/role\/app \(inside the zone of trust\): s3:GetObject, s3:PutObject/);
  });

  it('lists the shares that go for a list field, and nothing when nothing changes', () => {
    const lost = whoLosesAccess({ sharedWith: '["111122223333","123456789012","all"]' }, { sharedWith: '["123456789012"]' }, ZONE);
    expect(identitiesLosingAccess(lost)).toEqual(['111122223333', 'all']);
    expect(whoLosesAccess({ sharedWith: '["1"]' }, { sharedWith: '["1"]' }, ZONE)).toEqual([]);
  });
});

describe('the plan as a diff', () => {
  it('diffs the pretty-printed policy, one hunk per change, with the field named', () => {
    const fix = buildMinimalFix(mixed, ZONE, { kind: 's3' });
    const diff = planDiff({ policy: mixed }, { policy: JSON.stringify(fix.policy) });
    expect(diff.split('\n').slice(0, 2)).toEqual(['--- policy (before)', '+++ policy (after)']);
    expect(diff).toMatch(/^-\s+"Sid": "Partner",$/m);
    expect(diff).not.toMatch(/^[-+]\s+"Sid": "OwnApp",$/m);
    expect(diff).toMatch(/^@@ /m);
  });

  it('says when a field has no value on one side, and is empty when nothing changes', () => {
    expect(planDiff({ policy: mixed }, { policy: null })).toMatch(/^\+\+\+ policy \(after: none\)$/m);
    expect(planDiff({ policy: mixed }, { policy: mixed })).toBe('');
  });

  it('cuts a long diff and says how much was left out', () => {
    const cut = truncateDiff(planDiff({ policy: mixed }, { policy: null }), 5);
    expect(cut.truncated).toBe(true);
    expect(cut.text.split('\n')).toHaveLength(6);
    expect(cut.text).toMatch(new RegExp(`… ${cut.omitted} more lines$`));
  });
});

describe('the blast-radius gate', () => {
  const before = { policy: publicReadPolicy('ledger') };
  const after = { policy: null };
  it('lets a plan through at or under the cap, and stops one above it with ApprovalRequiredError naming the count', async () => {
    const { blastRadiusGate } = await import('../../../lib/controls/blast-radius');
    expect(blastRadiusGate(undefined, BUCKET, ZONE)).toBeUndefined();
    expect(() => blastRadiusGate(2, BUCKET, ZONE)!({ before, after })).not.toThrow();
    expect(() => blastRadiusGate(1, BUCKET, ZONE)!({ before, after })).toThrow(
      expect.objectContaining({ name: 'ApprovalRequiredError', message: expect.stringMatching(/would cut off 2 identities \(444455556666, anyone \(public\)\), more than the rule's maxPrincipalsRemoved of 1/) }),
    );
  });
});
