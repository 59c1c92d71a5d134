/**
 * parsePolicy and analyzePolicy: shapes, reasons and edge cases.
 */
import { describe, expect, it } from 'vitest';
import { PolicyParseError } from '../../../lib/errors';
import { analyzePolicy, formatAnalysis, parsePolicy } from '../../../lib/policy';

const OWNER = '111122223333';
const EXTERNAL = '444455556666';
const zone = { accountIds: [OWNER] };

describe('parsePolicy', () => {
  it('reads a JSON string and a JSON string of a JSON string', () => {
    const doc = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: '*' }] };
    expect(parsePolicy(JSON.stringify(doc)).statements).toHaveLength(1);
    expect(parsePolicy(JSON.stringify(JSON.stringify(doc))).statements).toHaveLength(1);
  });

  it('rejects invalid JSON with PolicyParseError at the document root', () => {
    try {
      parsePolicy('{\n  "Statement": [,]\n}');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyParseError);
      expect((error as PolicyParseError).context.location).toMatch(/^\$/);
      expect((error as PolicyParseError).message).toContain('not valid JSON');
    }
  });

  it('returns a parsed policy unchanged', () => {
    const parsed = parsePolicy({ Statement: [] });
    expect(parsePolicy(parsed)).toBe(parsed);
  });

  it('infers the resource kind from the actions', () => {
    expect(parsePolicy({ Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }).inferredKind).toBe('iam-role');
    expect(parsePolicy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }] }).inferredKind).toBe('kms');
  });

  it('reads a policy IAM would reject, notes where, and resolves it toward exposed', () => {
    const parsed = parsePolicy({ Version: '2012-10-18', Statement: { Effect: 'Allow', Principal: `arn:aws:iam::${EXTERNAL}:root`, Action: 's3:GetObject', Condition: { StringEqual: { 'aws:PrincipalAccount': OWNER } } } });
    expect(parsed.lint.map((n) => n.location).sort()).toEqual(['Statement.Condition.StringEqual', 'Statement.Principal', 'Version']);
    expect(parsed.lint.every((n) => n.rejectedByAws)).toBe(true);
    expect(analyzePolicy(parsed, zone)).toMatchObject({ exposed: true, externalAccounts: [EXTERNAL] });
  });

  it('throws PolicyParseError on the first thing IAM would reject in strict mode', () => {
    try {
      parsePolicy({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::*:root' }, Action: 's3:*' }] }, { strict: true });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyParseError);
      expect((error as PolicyParseError).context.location).toBe('Statement[0].Principal.AWS');
    }
  });

  it('accepts condition operators in any case and every family', () => {
    const condition = {
      stringequals: { 'aws:PrincipalAccount': OWNER },
      'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['a*'] },
      NumericGreaterThanEquals: { 's3:max-keys': 1 },
      DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' },
      BinaryEquals: { 'aws:Key': 'QmluYXJ5' },
      ArnNotEqualsIfExists: { 'aws:SourceArn': 'arn:aws:s3:::x' },
      Null: { 'aws:TokenIssueTime': 'false' },
    };
    expect(() => parsePolicy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*', Condition: condition }] })).not.toThrow();
  });
});

describe('analyzePolicy', () => {
  it('reports one finding per statement and principal class, with actions and reason', () => {
    const analysis = analyzePolicy({ Statement: [{ Sid: 'Mixed', Effect: 'Allow', Principal: { AWS: ['*', EXTERNAL] }, Action: ['s3:GetObject'], Resource: '*' }] }, zone);
    expect(analysis.findings).toEqual([
      expect.objectContaining({ statementIndex: 0, sid: 'Mixed', access: 'public', accounts: [], actions: ['s3:GetObject'], reason: expect.stringContaining('s3:GetObject') }),
    ]);
  });

  it('reports the external account of a statement and the service beside it as a risk, not a finding', () => {
    const analysis = analyzePolicy({ Statement: [{ Effect: 'Allow', Principal: { AWS: [EXTERNAL], Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: '*' }] }, zone);
    expect(analysis.findings.map((f) => f.access)).toEqual(['cross-account']);
    expect(analysis.findings[0]).toMatchObject({ accounts: [EXTERNAL], principals: [] });
    expect(analysis.risks).toEqual([expect.objectContaining({ statementIndex: 0, services: ['sns.amazonaws.com'], actions: ['sqs:SendMessage'] })]);
  });

  it('gives a service grant without a confused-deputy condition its own verdict, shown in the reasons and the text', () => {
    const analysis = analyzePolicy({ Statement: [{ Sid: 'Trail', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' }] }, zone, { kind: 's3' });
    expect(analysis).toMatchObject({ exposed: false, isPublic: false, findings: [] });
    expect(analysis.statements[0]).toMatchObject({ verdict: 'service-risk', reason: expect.stringContaining('confused-deputy') });
    expect(formatAnalysis(analysis)).toContain('#0 "Trail" Allow — SERVICE RISK');
    expect(formatAnalysis(analysis)).toContain('1 service grant has no confused-deputy condition');
  });

  it('narrows "*" by the account field of aws:SourceArn to that account', () => {
    const analysis = analyzePolicy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:sns:*:${EXTERNAL}:*` } } }] }, zone);
    expect(analysis).toMatchObject({ exposed: true, isPublic: false, externalAccounts: [EXTERNAL] });
  });

  it('treats no policy as not exposed', () => {
    expect(analyzePolicy(null, zone)).toMatchObject({ exposed: false, isPublic: false, externalAccounts: [], findings: [], statements: [] });
  });

  it('follows a zone that was changed in place', () => {
    const mutable = { accountIds: [OWNER] };
    const policy = parsePolicy({ Statement: [{ Effect: 'Allow', Principal: { AWS: EXTERNAL }, Action: 's3:*', Resource: '*' }] });
    expect(analyzePolicy(policy, mutable).exposed).toBe(true);
    mutable.accountIds.push(EXTERNAL);
    expect(analyzePolicy(policy, mutable).exposed).toBe(false);
  });

  it('lists the conditions it considered', () => {
    const analysis = analyzePolicy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': EXTERNAL } } }] }, zone);
    expect(analysis.findings[0]?.conditions).toEqual([`StringEquals aws:PrincipalAccount=${EXTERNAL}`]);
  });

  it('explains a statement that conditions confine to the zone', () => {
    const analysis = analyzePolicy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': OWNER } } }] }, zone);
    expect(analysis.statements[0]).toMatchObject({ verdict: 'trusted-by-condition', reason: expect.stringContaining('confines it to the zone') });
  });

  it('keeps Deny-covered actions out of the finding and reports the rest', () => {
    const analysis = analyzePolicy(
      { Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:PutObject'], Resource: '*' }, { Effect: 'Deny', Principal: '*', Action: 's3:Put*', Resource: '*' }] },
      zone,
    );
    expect(analysis.findings[0]?.actions).toEqual(['s3:GetObject']);
  });

  it('formats a readable verdict statement by statement', () => {
    const text = formatAnalysis(analyzePolicy({ Statement: [{ Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }, { Sid: 'Mine', Effect: 'Allow', Principal: { AWS: OWNER }, Action: 's3:*', Resource: '*' }] }, zone, { kind: 's3' }));
    expect(text).toContain('Verdict (s3): PUBLIC');
    expect(text).toContain('#0 "Public" Allow — PUBLIC');
    expect(text).toContain('#1 "Mine" Allow — TRUSTED');
  });
});

describe('Deny statements with exemptions', () => {
  // Found by the statement-order property: a Deny that exempts an account met a Deny that
  // exempts a service, and the account survived in one order (a service is not an account).
  const statements = [
    { Effect: 'Deny', NotPrincipal: { AWS: '111111111111', Service: 'logs.amazonaws.com' }, Action: '*', Resource: 'arn:aws:s3:::b/*' },
    { Effect: 'Allow', Principal: '*', NotAction: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    { Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 's3:Put*', Resource: 'arn:aws:s3:::b/*' },
    {
      Effect: 'Deny',
      NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' },
      Action: 's3:Put*',
      Resource: 'arn:aws:s3:::b/*',
      Condition: { StringNotEquals: { 'aws:PrincipalAccount': ['333333333333', '111111111111'] } },
    },
  ];
  const permutations = (items: number[]): number[][] =>
    items.length <= 1 ? [items] : items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));

  it('give the same verdict in every order: only what both Denies exempt is left', () => {
    const verdicts = new Set(
      permutations([0, 1, 2, 3]).map((order) => {
        const analysis = analyzePolicy({ Version: '2012-10-17', Statement: order.map((i) => statements[i]) }, { accountIds: ['111111111111'] }, { kind: 's3' });
        return JSON.stringify([analysis.exposed, analysis.isPublic, analysis.externalAccounts]);
      }),
    );
    // Only the SNS service grant is left: a risk, not exposure.
    expect([...verdicts]).toEqual([JSON.stringify([false, false, []])]);
  });
});
