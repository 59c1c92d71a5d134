/**
 * One way for tests to build a finding: `finding({ … })`, defaults filled in
 * (a public S3 bucket reported by Access Analyzer in the local account), then
 * validated by the real FindingSchema, so a test cannot hold a finding the
 * workflow would refuse. `resource` and `exposure` merge with the defaults.
 */
import { FindingSchema, type Finding, type FindingInput } from '../../lib/finding';

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'us-east-1';
export const TEST_ANALYZER = `arn:aws:access-analyzer:${TEST_REGION}:${TEST_ACCOUNT}:analyzer/ConsoleAnalyzer-org`;

type FindingOverrides = Omit<Partial<FindingInput>, 'resource' | 'exposure'> & {
  /** Shorthand for an S3 bucket's resource. */
  bucket?: string;
  resource?: Partial<FindingInput['resource']>;
  exposure?: Partial<NonNullable<FindingInput['exposure']>> | null;
};

export function finding(overrides: FindingOverrides = {}): Finding {
  const { bucket = 'test-bucket', resource, exposure, ...rest } = overrides;
  const input: FindingInput = {
    id: `finding-${bucket}`,
    source: 'access-analyzer',
    type: 'ExternalAccess',
    status: 'ACTIVE',
    severity: 'HIGH',
    observedAt: '2026-11-23T09:12:40Z',
    labels: { analyzerArn: TEST_ANALYZER },
    raw: { eventId: `event-${bucket}`, source: 'aws.access-analyzer', detailType: 'Access Analyzer Finding' },
    ...rest,
    resource: { arn: `arn:aws:s3:::${bucket}`, type: 'AWS::S3::Bucket', accountId: TEST_ACCOUNT, region: TEST_REGION, ...resource },
    ...(exposure === null ? {} : { exposure: { isPublic: true, principals: ['*'], actions: ['s3:GetObject'], ...exposure } }),
  };
  return FindingSchema.parse(input);
}
