/**
 * The ARN checks the catalog's controls build their API input from
 * (lib/controls/arn.ts and each control's ref helper), on the
 * ARNs of the sample events in events/: every sample about one of these
 * resource types reaches its control through findControlFor and parses.
 */
import { describe, expect, it } from 'vitest';
import { tableOrStreamArnOf } from '../../../lib/controls/dynamodb-remove-external-statements';
import { repositoryOf } from '../../../lib/controls/ecr-remove-external-statements';
import { fileSystemIdOf } from '../../../lib/controls/efs-remove-external-statements';
import { layerVersionOf } from '../../../lib/controls/lambda-layer-remove-external-permissions';
import { functionRefOf } from '../../../lib/controls/lambda-remove-external-permissions';
import { findControlFor } from '../../../lib/controls/select';
import { findingArn } from '../../../lib/controls/arn';
import { partitionOf } from '../../../lib/sources/resource-arn';
import { secretIdOf } from '../../../lib/controls/secretsmanager-remove-external-statements';
import type { ControlContext } from '../../../lib/controls/types';
import { AwsClients } from '../../../lib/aws/clients';
import type { Finding } from '../../../lib/finding';
import { normalizeEvent } from '../../../lib/sources';
import { DEPLOYMENT, sample } from '../sources/samples';

const contextFor = (finding: Finding): ControlContext => ({ finding, zone: { accountIds: [finding.resource.accountId] }, exemptPrincipalArns: [], clients: new AwsClients({ region: 'us-east-1' }) });

function findingOf(name: string): Finding {
  const result = normalizeEvent(sample(name), DEPLOYMENT);
  if (result.kind !== 'findings') throw new Error(`${name} was ignored: ${result.reason}`);
  return result.findings[0]!;
}

const CASES = [
  ['access-analyzer/lambda-function-public', 'lambda-remove-external-permissions', (ctx: ControlContext) => functionRefOf(ctx), { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:remediator-demo-webhook' }],
  ['access-analyzer/lambda-layer-public', 'lambda-layer-remove-external-permissions', layerVersionOf, { LayerName: 'arn:aws:lambda:us-east-1:123456789012:layer:remediator-demo-shared', VersionNumber: 3 }],
  ['access-analyzer/secretsmanager-secret-cross-account', 'secretsmanager-remove-external-statements', secretIdOf, 'arn:aws:secretsmanager:us-east-1:123456789012:secret:remediator/demo/db-AbCdEf'],
  ['access-analyzer/ecr-repository-public', 'ecr-remove-external-statements', repositoryOf, { registryId: '123456789012', repositoryName: 'remediator-demo/api' }],
  ['access-analyzer/efs-file-system-cross-account', 'efs-remove-external-statements', fileSystemIdOf, 'fs-0123456789abcdef0'],
  ['access-analyzer/dynamodb-table-cross-account', 'dynamodb-remove-external-statements', tableOrStreamArnOf, 'arn:aws:dynamodb:us-east-1:123456789012:table/remediator-demo-orders'],
  [
    'access-analyzer/dynamodb-stream-cross-account',
    'dynamodb-remove-external-statements',
    tableOrStreamArnOf,
    'arn:aws:dynamodb:us-east-1:123456789012:table/remediator-demo-orders/stream/2026-11-01T00:00:00.000',
  ],
] as const;

describe.each(CASES)('sample %s', (name, controlId, parse, expected) => {
  it(`reaches ${controlId} and names the resource its API calls need`, () => {
    const finding = findingOf(name);
    expect(findControlFor(finding)?.id).toBe(controlId);
    expect((parse as (ctx: ControlContext) => unknown)(contextFor(finding))).toEqual(expected);
  });
});

describe('findingArn', () => {
  const base = findingOf('access-analyzer/ecr-repository-public');
  const ctx = (arn: string, region = 'us-east-1', accountId = '123456789012') => contextFor({ ...base, resource: { arn, type: 'AWS::ECR::Repository', accountId, region } });

  it('splits an ARN whose partition, service and account match the finding', () => {
    expect(findingArn(ctx('arn:aws-cn:ecr:cn-north-1:123456789012:repository/a/b', 'cn-north-1'), 'ecr')).toEqual({
      partition: 'aws-cn',
      service: 'ecr',
      region: 'cn-north-1',
      accountId: '123456789012',
      resource: 'repository/a/b',
    });
  });

  it('checks an ARN that carries no account (S3) for its partition and service only', () => {
    expect(findingArn(ctx('arn:aws:s3:::my-bucket'), 's3')).toMatchObject({ partition: 'aws', service: 's3', accountId: '', resource: 'my-bucket' });
  });

  it('refuses another partition, service or account, and what is not an ARN', () => {
    const refused = [
      [ctx('arn:aws-us-gov:ecr:us-east-1:123456789012:repository/a'), /partition aws-us-gov, not aws/],
      [ctx('arn:aws:ecr:us-east-1:123456789012:repository/a', 'us-gov-west-1'), /partition aws, not aws-us-gov/],
      [ctx('arn:aws:sqs:us-east-1:123456789012:queue'), /not a ecr ARN/],
      [ctx('arn:aws:ecr:us-east-1:444455556666:repository/a'), /account 444455556666, not 123456789012/],
      [ctx('repository/a'), /is not an ARN/],
    ] as const;
    for (const [context, message] of refused) expect(() => findingArn(context, 'ecr')).toThrow(expect.objectContaining({ name: 'ControlFailedError', message: expect.stringMatching(message) }));
  });

  it('knows the partition of a region', () => {
    expect([partitionOf('eu-west-1'), partitionOf('cn-northwest-1'), partitionOf('us-gov-east-1')]).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
  });
});
