/** The Config rule / GuardDuty type → control table, and findControlFor built on it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTROL_MAPPINGS, MAPPING_ONLY_CONTROL_IDS, defaultModeFor } from '../../../lib/controls/mapping';
import { CONTROL_CATALOG, getControlFacts } from '../../../lib/controls/catalog';
import { controlHandles, findControlFor } from '../../../lib/controls/select';
import { type Finding } from '../../../lib/finding';
import { parseRules } from '../../../lib/rules/load';
import { triage } from '../../../lib/rules/triage';
import { normalizeEvent } from '../../../lib/sources';
import { finding as testFinding } from '../../support/finding';

const rules = parseRules(readFileSync('remediator.rules.yaml', 'utf8'), 'remediator.rules.yaml');

const ARNS: Record<string, string> = {
  'AWS::EC2::SecurityGroup': 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0',
  'AWS::EC2::Instance': 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0',
  'AWS::EC2::Snapshot': 'arn:aws:ec2:us-east-1:123456789012:snapshot/snap-0123456789abcdef0',
  'AWS::RDS::DBSnapshot': 'arn:aws:rds:us-east-1:123456789012:snapshot:nightly',
  'AWS::RDS::DBClusterSnapshot': 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:nightly',
  'AWS::S3::Bucket': 'arn:aws:s3:::example-bucket',
  'AWS::KMS::Key': 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  'AWS::IAM::User': 'arn:aws:iam::123456789012:user/legacy-reporting',
  'AWS::IAM::Role': 'arn:aws:iam::123456789012:role/web-instance-role',
  'AWS::Lambda::Function': 'arn:aws:lambda:us-east-1:123456789012:function:ingest',
  'AWS::SQS::Queue': 'arn:aws:sqs:us-east-1:123456789012:orders',
  'AWS::SNS::Topic': 'arn:aws:sns:us-east-1:123456789012:alerts',
  'AWS::SecretsManager::Secret': 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf',
  'AWS::ECR::Repository': 'arn:aws:ecr:us-east-1:123456789012:repository/app',
};

function finding(source: Finding['source'], type: string, resourceType: string): Finding {
  return testFinding({
    id: 'f-1',
    source,
    type,
    severity: 'HIGH',
    resource: { arn: ARNS[resourceType], type: resourceType, accountId: '123456789012', region: 'us-east-1' },
    raw: { eventId: 'e-1', source: `aws.${source}` },
    exposure: null,
  });
}

/** A concrete finding type for an entry: the type itself, or a type under its prefix. */
const typeFor = (entry: (typeof CONTROL_MAPPINGS)[number]) => (entry.prefix ? `${entry.findingType}Example.B!DNS` : entry.findingType);

describe('the mapping table', () => {
  it('names only controls of the catalog', () => {
    for (const entry of CONTROL_MAPPINGS) expect(() => getControlFacts(entry.controlId), entry.controlId).not.toThrow();
    for (const id of MAPPING_ONLY_CONTROL_IDS) expect(() => getControlFacts(id), id).not.toThrow();
  });

  it('resolves every mapped rule and type to its control, directly and through Security Hub, for every resource type it covers', () => {
    for (const entry of CONTROL_MAPPINGS) {
      const control = getControlFacts(entry.controlId);
      const resourceTypes = entry.resourceTypes ?? control.handles.resourceTypes;
      for (const resourceType of resourceTypes) {
        for (const source of [entry.source, 'security-hub'] as const) {
          const f = finding(source, typeFor(entry), resourceType);
          expect(findControlFor(f)?.id, `${source} ${f.type} on ${resourceType}`).toBe(entry.controlId);
          expect(controlHandles(control, f), `${entry.controlId} handles ${resourceType}`).toBe(true);
        }
      }
    }
  });

  it('accepts the conformance-pack and Security Hub spellings of a Config rule', () => {
    expect(findControlFor(finding('config', 'restricted-ssh-conformance-pack-k3j4h5g6', 'AWS::EC2::SecurityGroup'))?.id).toBe('ec2-revoke-open-ingress');
    expect(findControlFor(finding('security-hub', 'securityhub-restricted-ssh-a1b2c3d4', 'AWS::EC2::SecurityGroup'))?.id).toBe('ec2-revoke-open-ingress');
  });

  it('gives a Config or GuardDuty finding with no entry no control, even where a control handles the resource type', () => {
    expect(findControlFor(finding('config', 's3-bucket-versioning-enabled', 'AWS::S3::Bucket'))).toBeUndefined();
    expect(findControlFor(finding('guardduty', 'UnauthorizedAccess:EC2/SSHBruteForce', 'AWS::EC2::Instance'))).toBeUndefined();
    expect(findControlFor(finding('security-hub', 'vpc-flow-logs-enabled', 'AWS::EC2::SecurityGroup'))).toBeUndefined();
  });

  it('splits GuardDuty IAM credential findings by principal: a user loses its key (with approval), a role its sessions', () => {
    const onUser = finding('guardduty', 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'AWS::IAM::User');
    const onRole = finding('guardduty', 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 'AWS::IAM::Role');
    expect(findControlFor(onUser)?.id).toBe('iam-deactivate-access-key');
    expect(defaultModeFor(onUser)).toBe('approve');
    expect(findControlFor(onRole)?.id).toBe('iam-revoke-role-sessions');
    expect(defaultModeFor(onRole)).toBeUndefined();
    expect(defaultModeFor(finding('config', 'access-keys-rotated', 'AWS::IAM::User'))).toBe('approve');
  });

  it('never makes a mapping-only control the default for an Access Analyzer finding', () => {
    expect(findControlFor(finding('access-analyzer', 'ExternalAccess', 'AWS::S3::Bucket'))?.id).toBe('s3-deny-all-bucket-policy');
    expect(findControlFor(finding('access-analyzer', 'ExternalAccess', 'AWS::EC2::Snapshot'))?.id).toBe('ebs-snapshot-unshare');
    expect(findControlFor(finding('access-analyzer', 'ExternalAccess', 'AWS::RDS::DBClusterSnapshot'))?.id).toBe('rds-snapshot-unshare');
    expect(findControlFor(finding('security-hub', 'ExternalAccess', 'AWS::S3::Bucket'))?.id).toBe('s3-deny-all-bucket-policy');
    const role = findControlFor(finding('access-analyzer', 'ExternalAccess', 'AWS::IAM::Role'));
    expect(role === undefined || !MAPPING_ONLY_CONTROL_IDS.has(role.id)).toBe(true);
    for (const control of CONTROL_CATALOG.filter((c) => MAPPING_ONLY_CONTROL_IDS.has(c.id))) {
      for (const type of control.handles.resourceTypes) {
        expect(findControlFor(finding('access-analyzer', 'ExternalAccess', type))?.id).not.toBe(control.id);
      }
    }
  });
});

describe('triage of the sample events with the mapping', () => {
  const decide = (file: string) => {
    const result = normalizeEvent(JSON.parse(readFileSync(file, 'utf8')), {});
    if (result.kind !== 'findings') throw new Error(`${file}: ${result.kind}`);
    return triage(result.findings[0]!, rules);
  };

  it('notifies a GuardDuty type no control answers, naming the type', () => {
    const decision = decide('events/guardduty/ec2-ssh-brute-force.json');
    expect(decision).toMatchObject({ action: 'NOTIFY', controlId: null });
    expect(decision.reason).toContain('UnauthorizedAccess:EC2/SSHBruteForce');
  });

  it.each([
    ['events/guardduty/ec2-bitcoin-tool-dns.json', 'ec2-isolate-instance'],
    ['events/guardduty/ec2-backdoor-cc-activity-dns.json', 'ec2-isolate-instance'],
    ['events/guardduty/iam-user-malicious-ip-caller.json', 'iam-deactivate-access-key'],
    ['events/guardduty/iam-instance-credential-exfiltration.json', 'iam-revoke-role-sessions'],
    ['events/config/s3-bucket-public-read-noncompliant.json', 's3-deny-all-bucket-policy'],
  ])('%s reaches %s', (file, controlId) => {
    expect(decide(file).controlId).toBe(controlId);
  });
});
