/**
 * The one decision "is this IAM finding handled here", and its agreement with the
 * EventBridge patterns generated from the same list.
 */
import { describe, expect, it } from 'vitest';
import { buildEventPatterns } from '../../../eventbridge/patterns';
import { ACCESS_ANALYZER_RESOURCE_TYPES } from '../../../lib/sources/access-analyzer';
import { GLOBAL_IAM_TYPES, iamReporterOf, isIamFindingHandledHere, whyNotHandledHere } from '../../../lib/sources/home-region';
import { PATTERN_CONTEXT } from './samples';

describe('whyNotHandledHere', () => {
  it('handles Access Analyzer IAM roles and users only in the home region', () => {
    for (const resourceType of ['AWS::IAM::Role', 'AWS::IAM::User']) {
      expect(isIamFindingHandledHere({ resourceType, reporter: 'access-analyzer', region: 'us-east-1' }, 'us-east-1')).toBe(true);
      expect(whyNotHandledHere({ resourceType, reporter: 'access-analyzer', region: 'eu-west-1' }, 'us-east-1')).toBe(
        'IAM findings are acted on in the home region us-east-1 only, not in eu-west-1',
      );
    }
  });

  it('never handles the Security Hub copies of Access Analyzer IAM findings: the direct rule delivers them', () => {
    expect(whyNotHandledHere({ resourceType: 'AWS::IAM::Role', reporter: 'security-hub/access-analyzer', region: 'us-east-1' }, 'us-east-1')).toMatch(
      /direct rule of the home region us-east-1/,
    );
  });

  it('handles regional reports (GuardDuty, Config, manual) and non-IAM resources wherever they arrive', () => {
    expect(isIamFindingHandledHere({ resourceType: 'AWS::IAM::User', reporter: 'regional', region: 'eu-west-1' }, 'us-east-1')).toBe(true);
    expect(isIamFindingHandledHere({ resourceType: 'AWS::S3::Bucket', reporter: 'access-analyzer', region: 'eu-west-1' }, 'us-east-1')).toBe(true);
  });

  it('handles everything when no home region is set', () => {
    expect(isIamFindingHandledHere({ resourceType: 'AWS::IAM::Role', reporter: 'access-analyzer', region: 'eu-west-1' }, undefined)).toBe(true);
  });

  it('tells the reporter from a normalized finding', () => {
    expect(iamReporterOf({ source: 'access-analyzer', labels: {} })).toBe('access-analyzer');
    expect(iamReporterOf({ source: 'security-hub', labels: { product: 'access-analyzer' } })).toBe('security-hub/access-analyzer');
    expect(iamReporterOf({ source: 'security-hub', labels: { product: 'guardduty' } })).toBe('regional');
    expect(iamReporterOf({ source: 'guardduty', labels: {} })).toBe('regional');
  });
});

describe('the EventBridge patterns agree with it', () => {
  const patterns = buildEventPatterns({ ...PATTERN_CONTEXT, homeRegion: 'eu-central-1' });
  const text = (name: string) => JSON.stringify(patterns[name]?.pattern);

  it('match every global IAM type Access Analyzer reports in the home region only, and no other rule names one', () => {
    const iamExternal = ACCESS_ANALYZER_RESOURCE_TYPES.filter((type) => GLOBAL_IAM_TYPES.includes(type));
    expect(patterns.accessAnalyzerIamRoleFindingsHomeRegion?.pattern).toMatchObject({ region: ['eu-central-1'], detail: { resourceType: iamExternal } });
    expect(patterns.unusedAccessFindingsHomeRegion?.pattern).toMatchObject({ region: ['eu-central-1'], detail: { resourceType: [...GLOBAL_IAM_TYPES] } });
    for (const type of GLOBAL_IAM_TYPES) expect(text('accessAnalyzerFindings')).not.toContain(type);
    expect(text('securityHubFindings')).not.toMatch(/AwsIamRole|AwsIamUser/);
  });
});
