import { describe, expect, it } from 'vitest';
import { InvalidEventError, UnsupportedEventError } from '../../../lib/errors';
import {
  identifyResource,
  parseArn,
  parseResourceArn,
  partitionOf,
  resourceFromAccessKeyPrincipal,
  resourceFromId,
  SUPPORTED_RESOURCE_TYPES,
} from '../../../lib/sources/resource-arn';

const where = { accountId: '123456789012', region: 'us-east-1' };

/** One ARN per supported type, with the account and region the resource must end up with. */
const ARNS: Array<[arn: string, type: string, accountId: string, region: string]> = [
  ['arn:aws:s3:::my-bucket', 'AWS::S3::Bucket', '123456789012', 'us-east-1'],
  ['arn:aws:s3express:us-west-2:111122223333:bucket/data--usw2-az1--x-s3', 'AWS::S3Express::DirectoryBucket', '111122223333', 'us-west-2'],
  ['arn:aws:iam::111122223333:role/service-role/my-role', 'AWS::IAM::Role', '111122223333', 'us-east-1'],
  ['arn:aws:iam::111122223333:user/alice', 'AWS::IAM::User', '111122223333', 'us-east-1'],
  ['arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab', 'AWS::KMS::Key', '111122223333', 'eu-west-1'],
  ['arn:aws:lambda:eu-west-1:111122223333:function:fn:prod', 'AWS::Lambda::Function', '111122223333', 'eu-west-1'],
  ['arn:aws:lambda:eu-west-1:111122223333:layer:shared:7', 'AWS::Lambda::LayerVersion', '111122223333', 'eu-west-1'],
  ['arn:aws:sqs:eu-west-1:111122223333:jobs.fifo', 'AWS::SQS::Queue', '111122223333', 'eu-west-1'],
  ['arn:aws:sns:eu-west-1:111122223333:alerts', 'AWS::SNS::Topic', '111122223333', 'eu-west-1'],
  ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf', 'AWS::SecretsManager::Secret', '111122223333', 'eu-west-1'],
  ['arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0', 'AWS::EC2::Snapshot', '123456789012', 'eu-west-1'],
  ['arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0', 'AWS::EC2::Instance', '111122223333', 'eu-west-1'],
  ['arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0123456789abcdef0', 'AWS::EC2::SecurityGroup', '111122223333', 'eu-west-1'],
  ['arn:aws:ec2:eu-west-1:111122223333:volume/vol-0123456789abcdef0', 'AWS::EC2::Volume', '111122223333', 'eu-west-1'],
  ['arn:aws:rds:eu-west-1:111122223333:snapshot:rds:orders-2026-11-22-03-10', 'AWS::RDS::DBSnapshot', '111122223333', 'eu-west-1'],
  ['arn:aws:rds:eu-west-1:111122223333:cluster-snapshot:aurora-weekly', 'AWS::RDS::DBClusterSnapshot', '111122223333', 'eu-west-1'],
  ['arn:aws:ecr:eu-west-1:111122223333:repository/team/api', 'AWS::ECR::Repository', '111122223333', 'eu-west-1'],
  ['arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0123456789abcdef0', 'AWS::EFS::FileSystem', '111122223333', 'eu-west-1'],
  ['arn:aws:dynamodb:eu-west-1:111122223333:table/orders', 'AWS::DynamoDB::Table', '111122223333', 'eu-west-1'],
  ['arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2026-11-01T00:00:00.000', 'AWS::DynamoDB::Stream', '111122223333', 'eu-west-1'],
];

describe('identifyResource', () => {
  it('knows an ARN for every supported type', () => {
    expect(ARNS.map(([, type]) => type).sort()).toEqual([...SUPPORTED_RESOURCE_TYPES].sort());
  });

  it.each(ARNS)('names %s as %s', (arn, type, accountId, region) => {
    expect(identifyResource(arn, where)).toEqual({ ok: true, resource: { arn, type, accountId, region } });
    expect(identifyResource(arn, { ...where, expectedType: type })).toMatchObject({ ok: true });
  });

  it.each([
    'arn:aws:s3',
    'arn:aws:kms:us-east-1:123456789012:',
    'arn:aws:kms:us-east-1:1234:key/abc',
    'arn:aws:kms:not-a-region:123456789012:key/1234abcd-12ab',
    'not-an-arn',
    '',
  ])('calls %j malformed, not unsupported', (arn) => {
    expect(identifyResource(arn, where)).toMatchObject({ ok: false, unsupported: false });
  });

  it('calls a truncated ARN of an expected type malformed', () => {
    expect(identifyResource('arn:aws:kms:us-east-1:123456789012:key/', { ...where, expectedType: 'AWS::KMS::Key' })).toEqual({
      ok: false,
      unsupported: false,
      problem: '"arn:aws:kms:us-east-1:123456789012:key/" is not an AWS::KMS::Key ARN',
    });
  });

  it.each(['arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE', 'arn:aws:iam::123456789012:policy/readonly', 'arn:aws:sns:us-east-1:123456789012:t:sub-id'])(
    'calls %s unsupported',
    (arn) => {
      expect(identifyResource(arn, where)).toMatchObject({ ok: false, unsupported: true });
    },
  );

  it('needs an account and a region from somewhere', () => {
    expect(identifyResource('arn:aws:s3:::bucket', {})).toMatchObject({ ok: false, problem: expect.stringContaining('no account id') });
    expect(identifyResource('arn:aws:iam::123456789012:role/r', {})).toMatchObject({ ok: false, problem: expect.stringContaining('no region') });
  });
});

describe('resourceFromId', () => {
  it.each([
    ['AWS::S3::Bucket', 'my-bucket', 'arn:aws:s3:::my-bucket'],
    ['AWS::KMS::Key', '1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['AWS::Lambda::Function', 'webhook', 'arn:aws:lambda:us-east-1:123456789012:function:webhook'],
    ['AWS::SQS::Queue', 'https://sqs.eu-west-1.amazonaws.com/111122223333/jobs', 'arn:aws:sqs:eu-west-1:111122223333:jobs'],
    ['AWS::EC2::Instance', 'i-0123456789abcdef0', 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0'],
    ['AWS::SNS::Topic', 'arn:aws:sns:us-east-1:123456789012:alerts', 'arn:aws:sns:us-east-1:123456789012:alerts'],
  ])('builds the %s ARN from %s', (type, id, arn) => {
    expect(resourceFromId(type, id, where)).toMatchObject({ ok: true, resource: { arn, type } });
  });

  it('uses the partition of the region', () => {
    expect(resourceFromId('AWS::KMS::Key', 'abcd1234-0000', { accountId: '123456789012', region: 'cn-north-1' })).toMatchObject({
      ok: true,
      resource: { arn: 'arn:aws-cn:kms:cn-north-1:123456789012:key/abcd1234-0000' },
    });
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
  });

  it('cannot name an IAM role from its unique id', () => {
    expect(resourceFromId('AWS::IAM::Role', 'AROAEXAMPLEID', where)).toMatchObject({ ok: false, unsupported: true });
  });

  it('does not know unsupported types', () => {
    expect(resourceFromId('AWS::::Account', '123456789012', where)).toMatchObject({ ok: false, unsupported: true });
  });
});

describe('resourceFromAccessKeyPrincipal', () => {
  it('names IAM users and the roles of assumed-role sessions', () => {
    expect(resourceFromAccessKeyPrincipal('IAMUser', 'alice', where)).toMatchObject({ ok: true, resource: { arn: 'arn:aws:iam::123456789012:user/alice', type: 'AWS::IAM::User' } });
    expect(resourceFromAccessKeyPrincipal('AssumedRole', 'deployer', where)).toMatchObject({ ok: true, resource: { arn: 'arn:aws:iam::123456789012:role/deployer', type: 'AWS::IAM::Role' } });
  });

  it.each(['Root', 'FederatedUser', 'constructor'])('does not act on %s credentials', (userType) => {
    expect(resourceFromAccessKeyPrincipal(userType, 'x', where)).toMatchObject({ ok: false, unsupported: true });
  });
});

describe('parseArn', () => {
  it('keeps colons of the resource part', () => {
    expect(parseArn('arn:aws:lambda:us-east-1:123456789012:function:fn:alias')).toEqual({
      partition: 'aws',
      service: 'lambda',
      region: 'us-east-1',
      accountId: '123456789012',
      resource: 'function:fn:alias',
    });
  });

  it('refuses strings longer than any ARN', () => {
    expect(parseArn(`arn:aws:s3:::${'a'.repeat(3000)}`)).toBeUndefined();
  });
});

describe('parseResourceArn', () => {
  it.each([
    ['arn:aws:s3:::my-bucket', { resourceType: 'AWS::S3::Bucket', resourceId: 'my-bucket', bucketName: 'my-bucket', region: '', accountId: '' }],
    ['arn:aws:s3express:us-west-2:111122223333:bucket/data--usw2-az1--x-s3', { resourceType: 'AWS::S3Express::DirectoryBucket', bucketName: 'data--usw2-az1--x-s3' }],
    ['arn:aws:iam::111122223333:role/service-role/my-role', { resourceType: 'AWS::IAM::Role', resourceId: 'my-role', region: '', accountId: '111122223333' }],
    ['arn:aws:iam::111122223333:user/alice', { resourceType: 'AWS::IAM::User', resourceId: 'alice' }],
    ['arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab', { resourceId: 'mrk-1234abcd12ab34cd56ef1234567890ab', region: 'eu-west-1' }],
    ['arn:aws:lambda:eu-west-1:111122223333:function:fn:prod', { resourceType: 'AWS::Lambda::Function', resourceId: 'fn' }],
    ['arn:aws:sqs:eu-west-1:111122223333:jobs.fifo', { resourceType: 'AWS::SQS::Queue', resourceId: 'jobs.fifo' }],
    ['arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0', { resourceId: 'snap-0123456789abcdef0', accountId: '' }],
    ['arn:aws:rds:eu-west-1:111122223333:snapshot:rds:orders-2026-11-22-03-10', { resourceId: 'rds:orders-2026-11-22-03-10' }],
    ['arn:aws:ecr:eu-west-1:111122223333:repository/team/api', { resourceId: 'team/api' }],
  ])('takes %s apart', (arn, expected) => {
    expect(parseResourceArn(arn, { partition: 'aws' })).toMatchObject({ arn, partition: 'aws', ...expected });
  });

  it.each(['arn:aws-cn:s3:::my-bucket', 'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab', 'arn:aws-iso:s3:::b'])(
    'refuses %s from another partition with UnsupportedEventError saying so',
    (arn) => {
      expect(() => parseResourceArn(arn, { partition: 'aws' })).toThrow(UnsupportedEventError);
      expect(() => parseResourceArn(arn)).toThrow(/this deployment acts in partition aws only/);
    },
  );

  it('accepts the ARNs of the partition it is given', () => {
    expect(parseResourceArn('arn:aws-cn:s3:::my-bucket', { partition: 'aws-cn' })).toMatchObject({ partition: 'aws-cn', bucketName: 'my-bucket' });
  });

  it.each([
    ['arn:aws:s3:us-east-1:123456789012:bucket', /carries a region/],
    ['arn:aws:s3::123456789012:bucket', /carries an account/],
    ['arn:aws:iam:us-east-1:123456789012:role/r', /carries a region/],
    ['arn:aws:s3', /not a complete ARN/],
  ])('calls %s invalid (InvalidEventError)', (arn, message) => {
    expect(() => parseResourceArn(arn)).toThrow(InvalidEventError);
    expect(() => parseResourceArn(arn)).toThrow(message);
  });

  it('refuses a type Remediator does not handle, or an ARN of another type than expected', () => {
    expect(() => parseResourceArn('arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE')).toThrow(UnsupportedEventError);
    expect(() => parseResourceArn('arn:aws:s3:::b-1', { expectedType: 'AWS::KMS::Key' })).toThrow(InvalidEventError);
  });
});
