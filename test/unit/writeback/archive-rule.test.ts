/**
 * The proposed archive rule for intended access: as narrow as the finding, in Access Analyzer's
 * archive-rule filter syntax, with a stable name and the command that would create it.
 */
import { describe, expect, it } from 'vitest';
import { archiveRuleText, proposedArchiveRule, ruleNameFor } from '../../../lib/writeback/archive-rule';
import { TEST_ANALYZER, finding } from '../../support/finding';

const crossAccount = () =>
  finding({
    bucket: 'shared-reports',
    exposure: { isPublic: false, principals: ['111122223333', 'arn:aws:iam::444455556666:role/reader'], actions: ['s3:GetObject'], conditions: { 'aws:SourceVpc': 'vpc-0abc' } },
  });

describe('proposedArchiveRule', () => {
  it('names the resource, its type and owner, the kind of access, the principals and the conditions', () => {
    const proposal = proposedArchiveRule(crossAccount(), 'shared-reports-intended');
    expect(proposal).toEqual({
      rule: {
        ruleName: expect.stringMatching(/^remediator-shared-reports-intended-[0-9a-f]{8}$/),
        analyzerArn: TEST_ANALYZER,
        filter: {
          resource: { eq: ['arn:aws:s3:::shared-reports'] },
          resourceType: { eq: ['AWS::S3::Bucket'] },
          resourceOwnerAccount: { eq: ['123456789012'] },
          isPublic: { eq: ['false'] },
          'principal.AWS': { eq: ['111122223333', 'arn:aws:iam::444455556666:role/reader'] },
          'condition.aws:SourceVpc': { eq: ['vpc-0abc'] },
        },
      },
    });
  });

  it('proposes a public rule for public access, with the principal as reported', () => {
    const proposal = proposedArchiveRule(finding({ bucket: 'www-site' }), 'public-website');
    expect('rule' in proposal && proposal.rule.filter).toMatchObject({ isPublic: { eq: ['true'] }, 'principal.AWS': { eq: ['*'] } });
  });

  it('files federated providers and canonical users under their own principal keys', () => {
    const canonical = 'a'.repeat(64);
    const proposal = proposedArchiveRule(finding({ exposure: { isPublic: false, principals: ['cognito-identity.amazonaws.com', canonical] } }), 'r');
    expect('rule' in proposal && proposal.rule.filter).toMatchObject({
      'principal.Federated': { eq: ['cognito-identity.amazonaws.com'] },
      'principal.CanonicalUser': { eq: [canonical] },
    });
    expect('rule' in proposal && proposal.rule.filter['principal.AWS']).toBeUndefined();
  });

  it('keeps Security Hub’s free-text condition summary out of the filter', () => {
    const fromHub = finding({ source: 'security-hub', labels: { product: 'access-analyzer' }, exposure: { isPublic: false, principals: ['111122223333'], conditions: { Condition: 'aws:SourceVpc=vpc-1' } } });
    const proposal = proposedArchiveRule(fromHub, 'r');
    expect('rule' in proposal && Object.keys(proposal.rule.filter)).toEqual(['resource', 'resourceType', 'resourceOwnerAccount', 'isPublic', 'principal.AWS']);
    expect('rule' in proposal && proposal.rule.analyzerArn).toBeNull();
  });

  it('proposes nothing, and says why, for findings archive rules cannot cover', () => {
    expect(proposedArchiveRule(finding({ source: 'guardduty', type: 'Policy:S3/BucketAnonymousAccessGranted' }), 'r')).toEqual({ none: expect.stringContaining('came from guardduty') });
    expect(proposedArchiveRule(finding({ source: 'security-hub', labels: { product: 'config' } }), 'r')).toEqual({ none: expect.stringContaining('Access Analyzer feature') });
    expect(proposedArchiveRule(finding({ type: 'UnusedAccess' }), 'r')).toEqual({ none: expect.stringContaining('not UnusedAccess') });
  });

  it('gives one filter one name, and another filter another', () => {
    const a = proposedArchiveRule(crossAccount(), 'r');
    const b = proposedArchiveRule(crossAccount(), 'r');
    const c = proposedArchiveRule(finding({ bucket: 'other' }), 'r');
    expect('rule' in a && 'rule' in b && a.rule.ruleName === b.rule.ruleName).toBe(true);
    expect('rule' in a && 'rule' in c && a.rule.ruleName !== c.rule.ruleName).toBe(true);
    expect(ruleNameFor('rule with spaces/and:colons', {})).toMatch(/^remediator-rule-with-spaces-and-colons-[0-9a-f]{8}$/);
    expect(ruleNameFor('x'.repeat(300), {}).length).toBeLessThanOrEqual(255);
  });
});

describe('archiveRuleText', () => {
  it('prints the filter and the create-archive-rule command for the reporting analyzer', () => {
    const proposal = proposedArchiveRule(crossAccount(), 'r');
    if (!('rule' in proposal)) throw new Error('expected a rule');
    const text = archiveRuleText(proposal.rule);
    expect(text).toContain(`filter ${JSON.stringify(proposal.rule.filter)}`);
    expect(text).toContain(`aws accessanalyzer create-archive-rule --region us-east-1 --analyzer-name ConsoleAnalyzer-org --rule-name ${proposal.rule.ruleName} --filter '{`);
  });

  it('quotes a single quote in the filter for the shell', () => {
    const text = archiveRuleText({ ruleName: 'remediator-r-00000000', analyzerArn: null, filter: { 'condition.aws:UserId': { eq: ["it's"] } } });
    expect(text).toContain(`--analyzer-name <analyzer-name>`);
    expect(text).toContain(`--filter '{"condition.aws:UserId":{"eq":["it'\\''s"]}}'`);
  });
});
