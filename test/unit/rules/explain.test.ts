import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explainEvent, formatExplanation } from '../../../lib/rules/explain';
import { parseRules } from '../../../lib/rules/load';
import { DEPLOYMENT, sample } from '../sources/samples';

const rules = parseRules(readFileSync('remediator.rules.yaml', 'utf8'));
const options = { rules, normalize: DEPLOYMENT };

describe('explainEvent', () => {
  it('shows the finding, the rules tried criterion by criterion, and the decision', () => {
    const result = explainEvent(sample('access-analyzer/s3-bucket-public'), options);
    if (result.kind !== 'findings') throw new Error(`expected findings, got ${result.kind}`);
    const [item] = result.findings;
    expect(item!.finding.resource.arn).toBe('arn:aws:s3:::remediator-demo-public-assets');
    expect(item!.rulesTried).toEqual([
      {
        ruleId: 'approve-production-buckets',
        matched: false,
        criteria: [
          { field: 'resource.type', criterion: { eq: ['AWS::S3::Bucket'] }, values: ['AWS::S3::Bucket'], holds: true },
          { field: 'resource.arn', criterion: { contains: ['-prod-', '-production-'] }, values: ['arn:aws:s3:::remediator-demo-public-assets'], holds: false },
        ],
      },
      {
        ruleId: 'shared-buckets-capped',
        matched: false,
        criteria: [
          { field: 'resource.type', criterion: { eq: ['AWS::S3::Bucket'] }, values: ['AWS::S3::Bucket'], holds: true },
          { field: 'resource.arn', criterion: { contains: ['-shared-'] }, values: ['arn:aws:s3:::remediator-demo-public-assets'], holds: false },
        ],
      },
      { ruleId: 'default', matched: true, criteria: [] },
    ]);
    expect(item!.matchedRuleId).toBe('default');
    expect(item!.decision).toMatchObject({ action: 'REMEDIATE', controlId: 's3-deny-all-bucket-policy' });
    const text = formatExplanation(result);
    expect(text).toContain('✗ resource.arn {"contains":["-prod-","-production-"]}');
    expect(text).toContain('decision: REMEDIATE (mode auto, control s3-deny-all-bucket-policy) by default');
  });

  it('explains a Config finding on a type no control handles as NOTIFY', () => {
    const result = explainEvent(sample('config/log-group-retention-noncompliant'), options);
    expect(result.kind === 'findings' && result.findings[0]!.decision).toMatchObject({ action: 'NOTIFY', reason: expect.stringContaining('/aws/lambda/orders-api') });
  });

  it('shows an exception, and whether it has expired', () => {
    const excepted = parseRules(
      readFileSync('remediator.rules.yaml', 'utf8').replace(
        'exceptions: []',
        'exceptions:\n  - id: demo\n    match: { resource.arn: { contains: [demo-public] } }\n    owner: web\n    reason: demo site\n    expires: 2027-01-01',
      ),
    );
    const result = explainEvent(sample('access-analyzer/s3-bucket-public'), { rules: excepted, normalize: DEPLOYMENT, triage: { now: new Date('2026-12-02T00:00:00Z') } });
    expect(result.kind === 'findings' && result.findings[0]).toMatchObject({
      exception: { label: 'exception:demo', expired: false },
      decision: { action: 'EXCEPTED' },
    });
  });

  it('returns what the workflow would end in for an event it refuses, without throwing', () => {
    expect(explainEvent(sample('manual/s3-bucket-aws-us-gov-partition'), options)).toMatchObject({
      kind: 'error',
      errorName: 'UnsupportedEventError',
      message: expect.stringContaining('aws-us-gov'),
    });
    expect(explainEvent(sample('config/configuration-item-change'), options)).toMatchObject({ kind: 'ignored' });
    expect(formatExplanation(explainEvent('not json', options))).toMatch(/^InvalidEventError: /);
  });
});
