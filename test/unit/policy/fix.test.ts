/**
 * The minimal fix and the deny-all policy.
 */
import { describe, expect, it } from 'vitest';
import { UnsafeFixError } from '../../../lib/errors';
import type { PolicyStatement } from '../../../lib/policy';
import { analyzePolicy, buildDenyAllPolicy, buildMinimalFix } from '../../../lib/policy';

const OWNER = '111122223333';
const EXTERNAL = '444455556666';
const zone = { accountIds: [OWNER] };
const BUCKET = 'arn:aws:s3:::amzn-s3-demo-bucket';

const statements = (doc: { Statement: PolicyStatement | PolicyStatement[] } | null): PolicyStatement[] => (doc === null ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]);

describe('buildMinimalFix', () => {
  it('removes only the external principal and keeps the trusted one', () => {
    // Prepare
    const policy = { Version: '2012-10-17', Statement: [{ Sid: 'Share', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${OWNER}:root`, `arn:aws:iam::${EXTERNAL}:root`] }, Action: 's3:GetObject', Resource: `${BUCKET}/*` }] };
    // Act
    const fix = buildMinimalFix(policy, zone);
    // Assess
    expect(statements(fix.policy)).toEqual([{ Sid: 'Share', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${OWNER}:root`] }, Action: 's3:GetObject', Resource: `${BUCKET}/*` }]);
    expect(fix.changes).toEqual([`statement #0 "Share": removed principal account ${EXTERNAL} (outside the zone of trust)`]);
  });

  it('keeps Sids and order, and leaves untouched statements exactly as they were', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'First', Effect: 'Allow', Principal: { AWS: OWNER }, Action: 's3:*', Resource: `${BUCKET}/*` },
        { Sid: 'Leak', Effect: 'Allow', Principal: { AWS: EXTERNAL }, Action: 's3:GetObject', Resource: `${BUCKET}/*` },
        { Sid: 'Tls', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `${BUCKET}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ],
    };
    const fix = buildMinimalFix(policy, zone);
    expect(statements(fix.policy).map((s) => s.Sid)).toEqual(['First', 'Tls']);
    expect(statements(fix.policy)[1]).toEqual(policy.Statement[2]);
  });

  it('narrows a public statement to the zone instead of deleting it', () => {
    const fix = buildMinimalFix({ Statement: [{ Sid: 'Read', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${BUCKET}/*` }] }, zone);
    expect(statements(fix.policy)[0]?.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': OWNER } });
  });

  it('narrows to the organization when the zone has one', () => {
    const fix = buildMinimalFix({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${BUCKET}/*` }] }, { accountIds: [OWNER], organizationId: 'o-a1b2c3d4e5' });
    expect(statements(fix.policy)[0]?.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } });
  });

  it('leaves a service grant without confused-deputy protection alone: a risk, not exposure', () => {
    const policy = { Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: `arn:aws:sns:us-east-1:${OWNER}:t` }] };
    expect(buildMinimalFix(policy, zone)).toEqual({ policy, changes: [] });
  });

  it('adds aws:SourceAccount to such a service grant when asked to fix service risks', () => {
    const fix = buildMinimalFix({ Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: `arn:aws:sns:us-east-1:${OWNER}:t` }] }, zone, { fixServiceRisks: true });
    expect(statements(fix.policy)[0]?.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': OWNER } });
    expect(analyzePolicy(fix.policy, zone).risks).toEqual([]);
  });

  it('removes an exposed statement IAM would reject instead of rewriting it', () => {
    const fix = buildMinimalFix({ Statement: [{ Sid: 'Bare', Effect: 'Allow', Principal: `arn:aws:iam::${EXTERNAL}:root`, Action: 's3:GetObject', Resource: '*' }, { Sid: 'Mine', Effect: 'Allow', Principal: { AWS: OWNER }, Action: 's3:*', Resource: '*' }] }, zone);
    expect(statements(fix.policy).map((s) => s.Sid)).toEqual(['Mine']);
    expect(fix.changes[0]).toContain('IAM would reject it');
  });

  it('drops external values of an identity condition and keeps the trusted ones', () => {
    const fix = buildMinimalFix({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': [OWNER, EXTERNAL] } } }] }, zone);
    expect(statements(fix.policy)[0]?.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': [OWNER] } });
  });

  it('returns null (delete the policy) when nothing trusted is left', () => {
    const fix = buildMinimalFix({ Statement: [{ Effect: 'Allow', Principal: { AWS: EXTERNAL }, Action: 's3:GetObject', Resource: `${BUCKET}/*` }] }, zone, { kind: 's3' });
    expect(fix.policy).toBeNull();
    expect(fix.changes.at(-1)).toBe('no statement is left: delete the policy');
  });

  it('gives a KMS key its default policy rather than none', () => {
    const fix = buildMinimalFix({ Statement: [{ Effect: 'Allow', Principal: { AWS: EXTERNAL }, Action: 'kms:*', Resource: '*' }] }, zone, { kind: 'kms' });
    expect(statements(fix.policy)).toEqual([{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: 'kms:*', Resource: '*' }]);
  });

  it('gives a role a trust policy that trusts no one rather than none', () => {
    const fix = buildMinimalFix({ Statement: [{ Effect: 'Allow', Principal: { AWS: EXTERNAL }, Action: 'sts:AssumeRole' }] }, zone, { kind: 'iam-role' });
    expect(statements(fix.policy)[0]).toMatchObject({ Effect: 'Deny', Principal: '*' });
  });

  it('removes an Allow with NotPrincipal', () => {
    const fix = buildMinimalFix({ Statement: [{ Sid: 'Oops', Effect: 'Allow', NotPrincipal: { AWS: OWNER }, Action: 's3:GetObject', Resource: '*' }, { Sid: 'Ok', Effect: 'Allow', Principal: { AWS: OWNER }, Action: 's3:*', Resource: '*' }] }, zone);
    expect(statements(fix.policy).map((s) => s.Sid)).toEqual(['Ok']);
  });

  it('removes a GitHub trust without a sub condition', () => {
    const fix = buildMinimalFix({ Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${OWNER}:oidc-provider/token.actions.githubusercontent.com` }, Action: 'sts:AssumeRoleWithWebIdentity' }] }, zone, { kind: 'iam-role' });
    expect(statements(fix.policy)[0]).toMatchObject({ Sid: 'RemediatorNoTrust' });
  });

  it('changes nothing when nothing is exposed', () => {
    const policy = { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: OWNER }, Action: 's3:*', Resource: '*' } };
    expect(buildMinimalFix(policy, zone)).toEqual({ policy, changes: [] });
  });

  it('keeps a single-object Statement a single object', () => {
    const fix = buildMinimalFix({ Statement: { Effect: 'Allow', Principal: { AWS: [OWNER, EXTERNAL] }, Action: 's3:*', Resource: '*' } }, zone);
    expect(Array.isArray(fix.policy?.Statement)).toBe(false);
  });

  it('reports ACL grants it cannot fix in the policy', () => {
    const fix = buildMinimalFix({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] }, zone, { kind: 's3', s3: { aclGrants: [{ granteeType: 'Group', granteeUri: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' }] } });
    expect(fix.changes.some((c) => c.includes('PutBucketAcl'))).toBe(true);
    expect(analyzePolicy(fix.policy, zone, { kind: 's3' }).exposed).toBe(false);
  });

  it('does not mutate the policy it was given', () => {
    const policy = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] };
    const copy = structuredClone(policy);
    buildMinimalFix(policy, zone);
    expect(policy).toEqual(copy);
  });
});

describe('buildDenyAllPolicy', () => {
  const exempt = [`arn:aws:iam::${OWNER}:role/remediator`, `arn:aws:iam::${OWNER}:role/break-glass`];

  it('builds the S3 deny-all the corrective control writes', () => {
    const doc = buildDenyAllPolicy({ kind: 's3', resourceArns: [BUCKET], exemptPrincipalArns: exempt, accountId: OWNER });
    expect(doc).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'RemediatorDenyAll', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [BUCKET, `${BUCKET}/*`], Condition: { ArnNotLike: { 'aws:PrincipalArn': exempt } } }],
    });
    expect(analyzePolicy(doc, { accountIds: [OWNER] }).exposed).toBe(false);
  });

  it('omits the condition when no principal is exempt', () => {
    const doc = buildDenyAllPolicy({ kind: 's3', resourceArns: [BUCKET], exemptPrincipalArns: [], accountId: OWNER });
    expect(statements(doc)[0]).not.toHaveProperty('Condition');
  });

  it('uses Resource "*" and keeps the exempt roles as key administrators for KMS', () => {
    const doc = buildDenyAllPolicy({ kind: 'kms', resourceArns: [`arn:aws:kms:us-east-1:${OWNER}:key/1`], exemptPrincipalArns: exempt, accountId: OWNER });
    expect(statements(doc)[0]).toMatchObject({ Sid: 'RemediatorDenyAll', Effect: 'Deny', Action: 'kms:*', Resource: '*' });
    expect(statements(doc)[1]).toMatchObject({ Effect: 'Allow', Principal: { AWS: exempt } });
  });

  it.each([
    ['sqs', 'sqs:*'],
    ['sns', 'sns:*'],
    ['secretsmanager', 'secretsmanager:*'],
    ['ecr', 'ecr:*'],
  ] as const)('uses the %s action prefix', (kind, action) => {
    const doc = buildDenyAllPolicy({ kind, resourceArns: [`arn:aws:${kind}:us-east-1:${OWNER}:r`], exemptPrincipalArns: exempt, accountId: OWNER });
    expect(statements(doc)[0]?.Action).toBe(action);
  });

  it('refuses to let an external principal administer a KMS key', () => {
    expect(() => buildDenyAllPolicy({ kind: 'kms', resourceArns: [], exemptPrincipalArns: [`arn:aws:iam::${EXTERNAL}:role/x`], accountId: OWNER })).toThrow(UnsafeFixError);
  });
});
