/**
 * Properties over generated policies (fast-check): the fixes are never
 * exposed, analysis is deterministic, and statement order does not matter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyDocument, ResourceKind, ZoneOfTrust } from '../../../lib/policy';
import { analyzePolicy, buildDenyAllPolicy, buildMinimalFix, RESOURCE_KINDS } from '../../../lib/policy';

const OWNER = '111111111111';
const MEMBER = '222222222222';
const OUTSIDER = '333333333333';
const ORG = 'o-abc123';

const zones: ZoneOfTrust[] = [
  { accountIds: [OWNER] },
  { accountIds: [OWNER], organizationId: ORG },
  { accountIds: [OWNER], organizationId: ORG, organizationAccountIds: [OWNER, MEMBER] },
];

const account = fc.constantFrom(OWNER, MEMBER, OUTSIDER);
const awsPrincipal = fc.oneof(
  fc.constant('*'),
  account,
  account.map((a) => `arn:aws:iam::${a}:root`),
  account.map((a) => `arn:aws:iam::${a}:role/app`),
  account.map((a) => `arn:aws:sts::${a}:assumed-role/app/s`),
  fc.constant('AROAEXAMPLEROLEID1234'),
);
const principal = fc.oneof(
  { weight: 3, arbitrary: fc.constant('*' as const) },
  { weight: 5, arbitrary: fc.array(awsPrincipal, { minLength: 1, maxLength: 3 }).map((AWS) => ({ AWS: AWS.length === 1 ? AWS[0]! : AWS })) },
  { weight: 2, arbitrary: fc.constantFrom('sns.amazonaws.com', 'cloudtrail.amazonaws.com', 's3.amazonaws.com').map((Service) => ({ Service })) },
  { weight: 1, arbitrary: account.map((a) => ({ Federated: `arn:aws:iam::${a}:oidc-provider/token.actions.githubusercontent.com` })) },
  { weight: 1, arbitrary: account.map((a) => ({ Federated: `arn:aws:iam::${a}:saml-provider/corp` })) },
  { weight: 1, arbitrary: fc.constant({ CanonicalUser: 'c'.repeat(64) }) },
  { weight: 1, arbitrary: fc.record({ AWS: awsPrincipal, Service: fc.constant('logs.amazonaws.com') }) },
  // Oddities IAM would reject: read toward exposed, never refused.
  { weight: 1, arbitrary: account.map((a) => `arn:aws:iam::${a}:root`) },
  { weight: 1, arbitrary: fc.constantFrom({ AWS: 'arn:aws:iam::*:root' }, { AWS: 'arn:aws:iam::ACCOUNT_ID:role/x' }, { CanonicalUser: '*' }, { Aws: OUTSIDER }) },
  { weight: 1, arbitrary: fc.constantFrom('accounts.google.com', 'cognito-identity.amazonaws.com').map((Federated) => ({ Federated })) },
);
const value = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));
const condition = fc.oneof(
  fc.record({ StringEquals: fc.record({ 'aws:PrincipalOrgID': value(fc.constantFrom(ORG, 'o-other99', '*')) }) }),
  fc.record({ StringLike: fc.record({ 'aws:PrincipalOrgID': fc.constantFrom('o-*', ORG) }) }),
  fc.record({ StringEquals: fc.record({ 'aws:PrincipalAccount': value(account) }) }),
  fc.record({ StringEqualsIfExists: fc.record({ 'aws:PrincipalAccount': value(account) }) }),
  fc.record({ StringNotEquals: fc.record({ 'aws:PrincipalAccount': value(account) }) }),
  fc.record({ StringEquals: fc.record({ 'aws:SourceAccount': value(account) }) }),
  fc.record({ ArnLike: fc.record({ 'aws:SourceArn': account.map((a) => `arn:aws:sns:us-east-1:${a}:topic`) }) }),
  fc.record({ ArnLike: fc.record({ 'aws:PrincipalArn': fc.oneof(account.map((a) => `arn:aws:iam::${a}:role/*`), fc.constant('arn:aws:iam::*:role/x')) }) }),
  fc.record({ IpAddress: fc.record({ 'aws:SourceIp': fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', '203.0.113.0/24') }) }),
  fc.record({ NotIpAddress: fc.record({ 'aws:SourceIp': fc.constantFrom('10.0.0.0/8', '0.0.0.0/0') }) }),
  fc.record({ StringEquals: fc.record({ 'aws:SourceVpce': fc.constantFrom('vpce-1a2b', 'vpce-*') }) }),
  fc.record({ Bool: fc.record({ 'aws:SecureTransport': fc.constantFrom('true', 'false') }) }),
  fc.record({ 'ForAnyValue:StringLike': fc.record({ 'aws:PrincipalOrgPaths': fc.constantFrom(`${ORG}/*`, 'o-other99/*') }) }),
  fc.record({ StringEquals: fc.record({ 'token.actions.githubusercontent.com:sub': fc.constantFrom('repo:me/app:ref:refs/heads/main', 'repo:*') }) }),
  fc.record({ StringEquals: fc.record({ 'aws:PrincipalOrgID': fc.constant(ORG), 'aws:PrincipalAccount': value(account) }) }),
  fc.record({ StringEqual: fc.record({ 'aws:PrincipalAccount': account }) }),
  fc.record({ StringEquals: fc.record({ 'aws:SourceArn': account.map((a) => `arn:aws:sns:us-east-1:${a}`) }) }),
  fc.record({ StringEquals: fc.record({ 'aws:SourceAccount': fc.constantFrom('1111-1111-1111', [OWNER, 'x']) }) }),
  fc.record({ StringEquals: fc.record({ 'aws:ResourceAccount': account, 'aws:ResourceOrgID': fc.constant(ORG) }) }),
  fc.record({ StringEquals: fc.record({ 'aws:SourceAccount': fc.constant([[OWNER]]) }) }),
);
const actions = fc.oneof(fc.constantFrom('s3:GetObject', 's3:*', 's3:Put*', '*'), fc.subarray(['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject'], { minLength: 1 }));
const statement = fc
  .record({
    Sid: fc.option(fc.constantFrom('A', 'B', 'C'), { nil: undefined }),
    Effect: fc.constantFrom('Allow', 'Allow', 'Deny', 'Allow', 'Allow', 'Deny', 'deny'),
    principal,
    notPrincipal: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    actions,
    notAction: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    Resource: fc.constantFrom('arn:aws:s3:::b/*', ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'], '*', 'arn:aws:s3:::other/*'),
    conditions: fc.array(condition, { maxLength: 2 }),
  })
  .map(({ Sid, Effect, principal: p, notPrincipal, actions: a, notAction, Resource, conditions }) => {
    const Condition: Record<string, Record<string, unknown>> = {};
    for (const c of conditions) for (const [op, block] of Object.entries(c)) Condition[op] = { ...(Condition[op] ?? {}), ...block };
    return {
      ...(Sid ? { Sid } : {}),
      Effect,
      ...(notPrincipal && p !== '*' ? { NotPrincipal: p } : { Principal: p }),
      ...(notAction ? { NotAction: a } : { Action: a }),
      Resource,
      ...(conditions.length > 0 ? { Condition } : {}),
    };
  });
const policy = fc.array(statement, { minLength: 1, maxLength: 5 }).map((Statement) => ({ Version: '2012-10-17', Statement }) as PolicyDocument);
const zone = fc.constantFrom(...zones);
const kind = fc.constantFrom<ResourceKind>('s3', 'generic', 'sqs');

const verdict = (p: PolicyDocument | null, z: ZoneOfTrust, k: ResourceKind) => {
  const a = analyzePolicy(p, z, { kind: k });
  return { exposed: a.exposed, isPublic: a.isPublic, externalAccounts: a.externalAccounts };
};

describe('policy analyzer properties', () => {
  it('never returns a minimal fix that is public or cross-account', () => {
    fc.assert(
      fc.property(policy, zone, kind, (p, z, k) => {
        const fix = buildMinimalFix(p, z, { kind: k });
        const after = analyzePolicy(fix.policy, z, { kind: k });
        expect(after.exposed).toBe(false);
        if (analyzePolicy(p, z, { kind: k }).exposed) expect(fix.changes.length).toBeGreaterThan(0);
        else expect(fix.changes).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  }, 60_000);

  it('keeps every trusted statement of the minimal fix as it was, in order', () => {
    fc.assert(
      fc.property(policy, zone, kind, (p, z, k) => {
        const before = analyzePolicy(p, z, { kind: k });
        const fix = buildMinimalFix(p, z, { kind: k });
        const original = p.Statement as object[];
        const kept = fix.policy === null ? [] : (Array.isArray(fix.policy.Statement) ? fix.policy.Statement : [fix.policy.Statement]);
        const untouched = before.statements.filter((s) => s.verdict !== 'public' && s.verdict !== 'cross-account').map((s) => original[s.statementIndex]);
        let cursor = 0;
        for (const st of untouched) {
          const at = kept.findIndex((x, i) => i >= cursor && JSON.stringify(x) === JSON.stringify(st));
          expect(at).toBeGreaterThanOrEqual(0);
          cursor = at + 1;
        }
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('never returns a deny-all policy that is public or cross-account', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RESOURCE_KINDS), fc.subarray([`arn:aws:iam::${OWNER}:role/remediator`, `arn:aws:iam::${OWNER}:role/break-glass`]), (k, exempt) => {
        const doc = buildDenyAllPolicy({ kind: k, resourceArns: k === 's3' ? ['arn:aws:s3:::b'] : [`arn:aws:${k}:us-east-1:${OWNER}:r`], exemptPrincipalArns: exempt, accountId: OWNER });
        expect(analyzePolicy(doc, { accountIds: [OWNER] }, { kind: k }).exposed).toBe(false);
      }),
    );
  });

  it('gives the same answer when it analyses a policy twice', () => {
    fc.assert(
      fc.property(policy, zone, kind, (p, z, k) => {
        expect(analyzePolicy(p, z, { kind: k })).toEqual(analyzePolicy(p, z, { kind: k }));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same verdict whatever the order of the statements', () => {
    fc.assert(
      fc.property(policy, zone, kind, fc.func(fc.integer()), (p, z, k, order) => {
        const statements = [...(p.Statement as object[])];
        const shuffled = statements.map((s, i) => ({ s, key: order(i) })).sort((a, b) => a.key - b.key).map((x) => x.s);
        expect(verdict({ ...p, Statement: shuffled } as PolicyDocument, z, k)).toEqual(verdict(p, z, k));
      }),
      { numRuns: 1000 },
    );
  });

  it('never refuses a JSON object: any document or statement shape gets a verdict', () => {
    const loose = fc.dictionary(fc.constantFrom('Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Other'), fc.jsonValue(), { maxKeys: 6 });
    const doc = fc.oneof(
      fc.record({ Version: fc.jsonValue(), Statement: fc.oneof(loose, fc.array(fc.oneof(loose, fc.jsonValue()), { maxLength: 4 }), fc.jsonValue()) }, { requiredKeys: [] }),
      fc.dictionary(fc.string(), fc.jsonValue()),
    );
    fc.assert(
      fc.property(doc, zone, kind, (d, z, k) => {
        const analysis = analyzePolicy(d as object, z, { kind: k });
        expect(analysis.statements.every((s) => s.reason.length > 0)).toBe(true);
        expect(analyzePolicy(buildMinimalFix(d as object, z, { kind: k }).policy, z, { kind: k }).exposed).toBe(false);
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it('never finds a policy less exposed once a statement is added', () => {
    fc.assert(
      fc.property(policy, statement, zone, kind, (p, extra, z, k) => {
        if (extra.Effect !== 'Allow') return;
        const before = verdict(p, z, k);
        const after = verdict({ ...p, Statement: [...(p.Statement as object[]), extra] } as PolicyDocument, z, k);
        if (before.isPublic) expect(after.isPublic).toBe(true);
        if (before.exposed) expect(after.exposed).toBe(true);
      }),
      { numRuns: 800 },
    );
  });
});
