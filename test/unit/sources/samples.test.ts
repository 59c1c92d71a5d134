import { describe, expect, it } from 'vitest';
import { FindingSchema } from '../../../lib/finding';
import { normalizeEvent } from '../../../lib/sources';
import { DEPLOYMENT, loadSamples } from './samples';

type Expected =
  | { findings: Array<[type: string, status: string, resourceType: string]>; rejected?: number }
  | { ignored: RegExp }
  | { throws: 'InvalidEventError' | 'UnsupportedEventError'; message: RegExp };

/** What each sample event must become, for the deployment of DEPLOYMENT (us-east-1, account 123456789012). */
const EXPECTED: Record<string, Expected> = {
  'access-analyzer/access-preview-completed': { ignored: /Access Preview State Change/ },
  'access-analyzer/dynamodb-stream-cross-account': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::DynamoDB::Stream']] },
  'access-analyzer/dynamodb-table-cross-account': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::DynamoDB::Table']] },
  'access-analyzer/ebs-snapshot-public': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::EC2::Snapshot']] },
  'access-analyzer/ecr-repository-public': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::ECR::Repository']] },
  'access-analyzer/efs-file-system-cross-account': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::EFS::FileSystem']] },
  'access-analyzer/error-access-denied': { ignored: /could not analyze .*ACCESS_DENIED/ },
  'access-analyzer/iam-role-cross-account': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::IAM::Role']] },
  'access-analyzer/iam-role-cross-account-other-region': { ignored: /home region us-east-1 only, not in eu-west-1/ },
  'access-analyzer/internal-access-finding': { ignored: /Internal Access Finding/ },
  'access-analyzer/kms-key-cross-account-with-condition': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::KMS::Key']] },
  'access-analyzer/lambda-function-public': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::Lambda::Function']] },
  'access-analyzer/lambda-layer-public': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::Lambda::LayerVersion']] },
  'access-analyzer/rds-cluster-snapshot-cross-account': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::RDS::DBClusterSnapshot']] },
  'access-analyzer/rds-db-snapshot-public': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::RDS::DBSnapshot']] },
  'access-analyzer/s3-bucket-archived': { findings: [['ExternalAccess', 'ARCHIVED', 'AWS::S3::Bucket']] },
  'access-analyzer/s3-bucket-aws-cn-partition': { throws: 'UnsupportedEventError', message: /detail\.resource: .*partition aws-cn; this deployment acts in partition aws only/ },
  'access-analyzer/s3-bucket-cross-account': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::S3::Bucket']] },
  'access-analyzer/s3-bucket-deleted': { ignored: /was deleted/ },
  'access-analyzer/s3-bucket-public': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::S3::Bucket']] },
  'access-analyzer/s3-bucket-resolved': { findings: [['ExternalAccess', 'RESOLVED', 'AWS::S3::Bucket']] },
  'access-analyzer/s3-directory-bucket-cross-account': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::S3Express::DirectoryBucket']] },
  'access-analyzer/secretsmanager-secret-cross-account': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::SecretsManager::Secret']] },
  'access-analyzer/sns-topic-cross-account': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::SNS::Topic']] },
  'access-analyzer/sqs-queue-public': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::SQS::Queue']] },
  'access-analyzer/unused-iam-user-access-key': { findings: [['UnusedAccess', 'ACTIVE', 'AWS::IAM::User']] },
  'access-analyzer/unused-permission': { findings: [['UnusedAccess', 'ACTIVE', 'AWS::IAM::Role']] },
  'config/account-cloudtrail-enabled-noncompliant': { findings: [['cloudtrail-enabled', 'ACTIVE', 'AWS::::Account']] },
  'config/conformance-pack-lambda-public-noncompliant': { findings: [['lambda-function-public-access-prohibited', 'ACTIVE', 'AWS::Lambda::Function']] },
  'config/configuration-item-change': { ignored: /"Config Configuration Item Change" events are not compliance changes/ },
  'config/ebs-volume-unencrypted-noncompliant': { findings: [['encrypted-volumes', 'ACTIVE', 'AWS::EC2::Volume']] },
  'config/iam-user-by-unique-id-noncompliant': { findings: [['access-keys-rotated', 'ACTIVE', 'AWS::IAM::User']] },
  'config/insufficient-data': { ignored: /INSUFFICIENT_DATA/ },
  'config/load-balancer-compliant': { findings: [['alb-http-drop-invalid-header-enabled', 'RESOLVED', 'AWS::ElasticLoadBalancingV2::LoadBalancer']] },
  'config/log-group-retention-noncompliant': { findings: [['cw-loggroup-retention-period-check', 'ACTIVE', 'AWS::Logs::LogGroup']] },
  'config/oversized-configuration-item': { ignored: /not compliance changes/ },
  'config/s3-bucket-aws-cn-noncompliant': { throws: 'UnsupportedEventError', message: /partition aws-cn/ },
  'config/s3-bucket-not-applicable': { ignored: /NOT_APPLICABLE/ },
  'config/s3-bucket-public-read-compliant': { findings: [['s3-bucket-public-read-prohibited', 'RESOLVED', 'AWS::S3::Bucket']] },
  'config/s3-bucket-public-read-noncompliant': { findings: [['s3-bucket-public-read-prohibited', 'ACTIVE', 'AWS::S3::Bucket']] },
  'config/sqs-queue-by-url-noncompliant': { findings: [['sqs-queue-policy-public-access-check', 'ACTIVE', 'AWS::SQS::Queue']] },
  'guardduty/ec2-archived': { findings: [['UnauthorizedAccess:EC2/SSHBruteForce', 'ARCHIVED', 'AWS::EC2::Instance']] },
  'guardduty/ec2-backdoor-cc-activity-dns': { findings: [['Backdoor:EC2/C&CActivity.B!DNS', 'ACTIVE', 'AWS::EC2::Instance']] },
  'guardduty/ec2-bitcoin-tool-dns': { findings: [['CryptoCurrency:EC2/BitcoinTool.B!DNS', 'ACTIVE', 'AWS::EC2::Instance']] },
  'guardduty/ec2-ssh-brute-force': { findings: [['UnauthorizedAccess:EC2/SSHBruteForce', 'ACTIVE', 'AWS::EC2::Instance']] },
  'guardduty/eks-cluster-unsupported': { throws: 'UnsupportedEventError', message: /^aws\.guardduty event: detail\.resource\.resourceType: "EKSCluster"/ },
  'guardduty/iam-instance-credential-exfiltration': {
    findings: [['UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 'ACTIVE', 'AWS::IAM::Role']],
  },
  'guardduty/iam-user-malicious-ip-caller': { findings: [['UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'ACTIVE', 'AWS::IAM::User']] },
  'guardduty/s3-bucket-anonymous-access-granted': { findings: [['Policy:S3/BucketAnonymousAccessGranted', 'ACTIVE', 'AWS::S3::Bucket']] },
  'guardduty/s3-bucket-aws-us-gov-partition': { throws: 'UnsupportedEventError', message: /partition aws-us-gov/ },
  'guardduty/s3-bucket-block-public-access-disabled': { findings: [['Policy:S3/BucketBlockPublicAccessDisabled', 'ACTIVE', 'AWS::S3::Bucket']] },
  'guardduty/s3-bucket-public-access-granted': { findings: [['Policy:S3/BucketPublicAccessGranted', 'ACTIVE', 'AWS::S3::Bucket']] },
  'guardduty/sample-flag-in-additional-info-value': { findings: [['Policy:S3/BucketPublicAccessGranted', 'ACTIVE', 'AWS::S3::Bucket']] },
  'guardduty/sample-s3-bucket-public-access-granted': { findings: [['Policy:S3/BucketPublicAccessGranted', 'ACTIVE', 'AWS::S3::Bucket']] },
  'guardduty/sample-string-flag-eks-cluster': { ignored: /GuardDuty sample finding .*EKSCluster/ },
  'manual/cloudfront-needs-resource-type': { throws: 'InvalidEventError', message: /^remediator\.manual event: detail\.resourceType: required/ },
  'manual/iam-role-no-control': { findings: [['ManualRequest', 'ACTIVE', 'AWS::IAM::Role']] },
  'manual/kms-key-dry-run': { findings: [['ManualRequest', 'ACTIVE', 'AWS::KMS::Key']] },
  'manual/s3-bucket-arn-with-region-and-account': { throws: 'InvalidEventError', message: /carries a region, which an AWS::S3::Bucket ARN never does/ },
  'manual/s3-bucket-aws-us-gov-partition': { throws: 'UnsupportedEventError', message: /partition aws-us-gov/ },
  'manual/s3-deny-all-bucket-policy': { findings: [['ManualRequest', 'ACTIVE', 'AWS::S3::Bucket']] },
  'security-hub/access-analyzer-iam-role-other-region': { ignored: /direct rule of the home region us-east-1/ },
  'security-hub/access-analyzer-kms-key-public': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::KMS::Key']] },
  'security-hub/access-analyzer-s3-bucket-cross-account': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::S3::Bucket']] },
  'security-hub/access-analyzer-same-region-as-direct-rule': { ignored: /arrive through the direct IAM Access Analyzer rule/ },
  'security-hub/access-analyzer-unknown-details-shapes': { findings: [['ExternalAccess', 'ACTIVE', 'AWS::S3::Bucket']] },
  'security-hub/config-s3-bucket-failed': { findings: [['s3-bucket-public-write-prohibited', 'ACTIVE', 'AWS::S3::Bucket']] },
  'security-hub/guardduty-access-key-id-not-arn-unknown-details': {
    findings: [['UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 'ACTIVE', 'AWS::IAM::Role']],
  },
  'security-hub/guardduty-access-key-without-principal': { ignored: /names no principal: nothing Remediator can act on/ },
  'security-hub/guardduty-iam-access-key': { findings: [['UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'ACTIVE', 'AWS::IAM::User']] },
  'security-hub/guardduty-sample-flag-as-json-string': { findings: [['Policy:S3/BucketPublicAccessGranted', 'ACTIVE', 'AWS::S3::Bucket']] },
  'security-hub/guardduty-sample-unprefixed-key': { findings: [['Policy:S3/BucketPublicAccessGranted', 'ACTIVE', 'AWS::S3::Bucket']] },
  'security-hub/guardduty-suppressed': { findings: [['CryptoCurrency:EC2/BitcoinTool.B!DNS', 'ARCHIVED', 'AWS::EC2::Instance']] },
  'security-hub/inspector-unsupported-product': { throws: 'UnsupportedEventError', message: /detail\.findings\[0\]\.ProductArn: .*product\/aws\/inspector/ },
  'security-hub/mixed-batch': {
    findings: [
      ['Backdoor:EC2/C&CActivity.B!DNS', 'ACTIVE', 'AWS::EC2::Instance'],
      ['s3-bucket-public-read-prohibited', 'ACTIVE', 'AWS::S3::Bucket'],
      ['ExternalAccess', 'ACTIVE', 'AWS::SQS::Queue'],
    ],
  },
  'security-hub/mixed-batch-one-bad': {
    findings: [
      ['s3-bucket-public-read-prohibited', 'ACTIVE', 'AWS::S3::Bucket'],
      ['UnauthorizedAccess:EC2/SSHBruteForce', 'ACTIVE', 'AWS::EC2::Instance'],
    ],
    rejected: 1,
  },
};

const samples = loadSamples();

describe('sample events', () => {
  it('cover every source with at least 25 events, including ones that must be ignored or rejected', () => {
    // Assess
    expect(samples.length).toBeGreaterThanOrEqual(25);
    const sources = new Set(samples.map((entry) => entry.name.split('/')[0]));
    expect([...sources].sort()).toEqual(['access-analyzer', 'config', 'guardduty', 'manual', 'security-hub']);
    expect(Object.values(EXPECTED).filter((expected) => 'ignored' in expected).length).toBeGreaterThanOrEqual(5);
  });

  it('each have an expected outcome, and each expectation has its file', () => {
    expect(samples.map((entry) => entry.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(samples.map((entry) => [entry.name, entry.event] as const))('%s normalizes as expected', (name, event) => {
    // Prepare
    const expected = EXPECTED[name];
    if (!expected) throw new Error(`no expectation for ${name}`);

    // Act
    const act = () => normalizeEvent(event, DEPLOYMENT);

    // Assess
    if ('throws' in expected) {
      expect(act).toThrow(expect.objectContaining({ name: expected.throws, message: expect.stringMatching(expected.message) }));
      return;
    }
    const result = act();
    if ('ignored' in expected) {
      expect(result).toEqual({ kind: 'ignored', reason: expect.stringMatching(expected.ignored) });
      return;
    }
    if (result.kind !== 'findings') throw new Error(`expected findings, got: ${result.reason}`);
    expect(result.findings.map((finding) => [finding.type, finding.status, finding.resource.type])).toEqual(expected.findings);
    expect(result.rejected?.length ?? 0).toBe(expected.rejected ?? 0);
    for (const finding of result.findings) {
      expect(FindingSchema.parse(finding)).toEqual(finding);
      expect(finding.raw.eventId).toBe(event.id);
    }
  });

  it('also normalize when given as JSON text, and give the same result', () => {
    for (const { event } of samples) {
      const fromObject = safe(() => normalizeEvent(event, DEPLOYMENT));
      const fromText = safe(() => normalizeEvent(JSON.stringify(event), DEPLOYMENT));
      expect(fromText).toEqual(fromObject);
    }
  });
});

function safe(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    return { thrown: (error as Error).name, message: (error as Error).message };
  }
}
