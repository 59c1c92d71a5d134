/**
 * Every EventBridge rule of eventbridge/patterns.ts, checked against every sample event with
 * EventBridge's own TestEventPattern on the emulator: each event reaches exactly the rules
 * listed in ROUTES, and nothing else reaches any rule.
 *
 * Stock moto 5.2.x answers TestEventPattern with no `Result` and does not match fields inside
 * arrays of objects; the local stack's moto launcher patches both (see local/moto_launcher.py).
 */
import { EventBridgeClient, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { buildEventPatterns } from '../../eventbridge/patterns';
import { normalizeEvent } from '../../lib/sources';
import { DEPLOYMENT, loadSamples, PATTERN_CONTEXT } from '../unit/sources/samples';

/** The rules each sample event must reach, for account 123456789012 in us-east-1, home region us-east-1. */
const ROUTES: Record<string, string[]> = {
  'access-analyzer/s3-bucket-aws-cn-partition': ['accessAnalyzerFindings'],
  'config/account-cloudtrail-enabled-noncompliant': ['configCompliance'],
  'config/configuration-item-change': [],
  'config/ebs-volume-unencrypted-noncompliant': ['configCompliance'],
  'config/load-balancer-compliant': ['configCompliance'],
  'config/log-group-retention-noncompliant': ['configCompliance'],
  'config/oversized-configuration-item': [],
  'config/s3-bucket-aws-cn-noncompliant': ['configCompliance'],
  'guardduty/s3-bucket-aws-us-gov-partition': ['guardDutyFindings'],
  'guardduty/sample-flag-in-additional-info-value': ['guardDutyFindings'],
  'guardduty/sample-string-flag-eks-cluster': [],
  'manual/s3-bucket-arn-with-region-and-account': [] /* no rule: manual requests start only through StartExecution */,
  'manual/s3-bucket-aws-us-gov-partition': [] /* no rule: manual requests start only through StartExecution */,
  'security-hub/access-analyzer-unknown-details-shapes': ['securityHubFindings'],
  'security-hub/guardduty-access-key-id-not-arn-unknown-details': ['securityHubFindings'],
  'security-hub/guardduty-access-key-without-principal': ['securityHubFindings'],
  'security-hub/guardduty-sample-flag-as-json-string': ['securityHubFindings'],
  'security-hub/guardduty-sample-unprefixed-key': ['securityHubFindings'],
  'access-analyzer/access-preview-completed': [],
  'access-analyzer/dynamodb-stream-cross-account': ['accessAnalyzerFindings'],
  'access-analyzer/dynamodb-table-cross-account': ['accessAnalyzerFindings'],
  'access-analyzer/ebs-snapshot-public': ['accessAnalyzerFindings'],
  'access-analyzer/ecr-repository-public': ['accessAnalyzerFindings'],
  'access-analyzer/efs-file-system-cross-account': ['accessAnalyzerFindings'],
  'access-analyzer/error-access-denied': [],
  'access-analyzer/iam-role-cross-account': ['accessAnalyzerIamRoleFindingsHomeRegion'],
  'access-analyzer/iam-role-cross-account-other-region': [],
  'access-analyzer/internal-access-finding': [],
  'access-analyzer/kms-key-cross-account-with-condition': ['accessAnalyzerFindings'],
  'access-analyzer/lambda-function-public': ['accessAnalyzerFindings'],
  'access-analyzer/lambda-layer-public': ['accessAnalyzerFindings'],
  'access-analyzer/rds-cluster-snapshot-cross-account': ['accessAnalyzerFindings'],
  'access-analyzer/rds-db-snapshot-public': ['accessAnalyzerFindings'],
  'access-analyzer/s3-bucket-archived': [],
  'access-analyzer/s3-bucket-cross-account': ['accessAnalyzerFindings'],
  'access-analyzer/s3-bucket-deleted': [],
  'access-analyzer/s3-bucket-public': ['accessAnalyzerFindings'],
  'access-analyzer/s3-bucket-resolved': [],
  'access-analyzer/s3-directory-bucket-cross-account': ['accessAnalyzerFindings'],
  'access-analyzer/secretsmanager-secret-cross-account': ['accessAnalyzerFindings'],
  'access-analyzer/sns-topic-cross-account': ['accessAnalyzerFindings'],
  'access-analyzer/sqs-queue-public': ['accessAnalyzerFindings'],
  'access-analyzer/unused-iam-user-access-key': ['unusedAccessFindingsHomeRegion'],
  'access-analyzer/unused-permission': ['unusedAccessFindingsHomeRegion'],
  'config/conformance-pack-lambda-public-noncompliant': ['configCompliance'],
  'config/iam-user-by-unique-id-noncompliant': ['configCompliance'],
  'config/insufficient-data': [],
  'config/s3-bucket-not-applicable': [],
  'config/s3-bucket-public-read-compliant': ['configCompliance'],
  'config/s3-bucket-public-read-noncompliant': ['configCompliance'],
  'config/sqs-queue-by-url-noncompliant': ['configCompliance'],
  'guardduty/ec2-archived': [],
  'guardduty/ec2-backdoor-cc-activity-dns': ['guardDutyFindings'],
  'guardduty/ec2-bitcoin-tool-dns': ['guardDutyFindings'],
  'guardduty/ec2-ssh-brute-force': ['guardDutyFindings'],
  'guardduty/eks-cluster-unsupported': [],
  'guardduty/iam-instance-credential-exfiltration': ['guardDutyFindings'],
  'guardduty/iam-user-malicious-ip-caller': ['guardDutyFindings'],
  'guardduty/s3-bucket-anonymous-access-granted': ['guardDutyFindings'],
  'guardduty/s3-bucket-block-public-access-disabled': ['guardDutyFindings'],
  'guardduty/s3-bucket-public-access-granted': ['guardDutyFindings'],
  'guardduty/sample-s3-bucket-public-access-granted': ['guardDutyFindings'],
  'manual/cloudfront-needs-resource-type': [] /* no rule: manual requests start only through StartExecution */,
  'manual/iam-role-no-control': [] /* no rule: manual requests start only through StartExecution */,
  'manual/kms-key-dry-run': [] /* no rule: manual requests start only through StartExecution */,
  'manual/s3-deny-all-bucket-policy': [] /* no rule: manual requests start only through StartExecution */,
  'security-hub/access-analyzer-iam-role-other-region': [],
  'security-hub/access-analyzer-kms-key-public': ['securityHubFindings'],
  'security-hub/access-analyzer-s3-bucket-cross-account': ['securityHubFindings'],
  'security-hub/access-analyzer-same-region-as-direct-rule': [],
  'security-hub/config-s3-bucket-failed': ['securityHubFindings'],
  'security-hub/guardduty-iam-access-key': ['securityHubFindings'],
  'security-hub/guardduty-suppressed': [],
  'security-hub/inspector-unsupported-product': [],
  'security-hub/mixed-batch': ['securityHubFindings'],
  'security-hub/mixed-batch-one-bad': ['securityHubFindings'],
};

/**
 * Delivered although the normalizer refuses or ignores them: the refusal is what they show. Partitions and
 * ARN shapes are checked by the normalizer, not the patterns; an access key that names no principal is
 * ignored by the normalizer with its reason.
 */
const DELIVERED_BUT_NOT_FINDINGS = [
  'access-analyzer/s3-bucket-aws-cn-partition',
  'config/s3-bucket-aws-cn-noncompliant',
  'guardduty/s3-bucket-aws-us-gov-partition',
  'security-hub/guardduty-access-key-without-principal',
];

const samples = loadSamples();
const rules = buildEventPatterns(PATTERN_CONTEXT);
let client: EventBridgeClient;

function localStack(): { endpoint: string; region: string } {
  const provided = (inject as (key: string) => { endpoint: string; region: string } | undefined)('localStack');
  if (provided) return provided;
  const endpoint = process.env.REMEDIATOR_AWS_ENDPOINT;
  if (!endpoint) throw new Error('no emulator: the local stack setup provides none and REMEDIATOR_AWS_ENDPOINT is unset');
  return { endpoint, region: process.env.AWS_REGION ?? 'us-east-1' };
}

async function matches(pattern: object, event: object): Promise<boolean> {
  const answer = await client.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }));
  if (typeof answer.Result !== 'boolean') {
    throw new Error('the emulator answered TestEventPattern without a Result: it needs the TestEventPattern patch of the moto launcher');
  }
  return answer.Result;
}

beforeAll(() => {
  const { endpoint, region } = localStack();
  client = new EventBridgeClient({ region, endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

describe('EventBridge rules on the sample events (TestEventPattern)', () => {
  it('has a route for every sample event', () => {
    expect(samples.map((entry) => entry.name).sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it.each(samples.map((entry) => [entry.name, entry.event] as const))('%s reaches exactly its rules', async (name, event) => {
    // Act
    const reached: string[] = [];
    for (const [rule, { pattern }] of Object.entries(rules)) {
      if (await matches(pattern, event)) reached.push(rule);
    }

    // Assess
    expect(reached).toEqual(ROUTES[name]);
  });

  it('delivers only events that the normalizers turn into findings', () => {
    for (const { name, event } of samples) {
      if ((ROUTES[name] ?? []).length === 0 || DELIVERED_BUT_NOT_FINDINGS.includes(name)) continue;
      const result = normalizeEvent(event, DEPLOYMENT);
      expect({ name, kind: result.kind }).toEqual({ name, kind: 'findings' });
    }
  });

  it('matches IAM role findings only in the home region', async () => {
    // Prepare
    const event = samples.find((entry) => entry.name === 'access-analyzer/iam-role-cross-account')?.event as object;
    const elsewhere = buildEventPatterns({ ...PATTERN_CONTEXT, homeRegion: 'eu-west-1' });

    // Act & Assess
    expect(await matches(rules.accessAnalyzerIamRoleFindingsHomeRegion?.pattern ?? {}, event)).toBe(true);
    expect(await matches(elsewhere.accessAnalyzerIamRoleFindingsHomeRegion?.pattern ?? {}, event)).toBe(false);
  });

  it('lets a Security Hub finding of its own region through in another deployment region', async () => {
    // Prepare: a deployment in eu-west-1 has no direct rule for us-east-1
    const event = samples.find((entry) => entry.name === 'security-hub/access-analyzer-same-region-as-direct-rule')?.event as object;
    const euDeployment = buildEventPatterns({ ...PATTERN_CONTEXT, region: 'eu-west-1' });

    // Act & Assess
    expect(await matches(rules.securityHubFindings?.pattern ?? {}, event)).toBe(false);
    expect(await matches(euDeployment.securityHubFindings?.pattern ?? {}, event)).toBe(true);
  });
});
