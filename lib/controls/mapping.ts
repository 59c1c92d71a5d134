/**
 * Which corrective control answers a Config rule or a GuardDuty finding type: data, not code.
 *
 * Config findings are keyed by the managed rule name (lib/sources/config.ts already turns a
 * conformance pack's `<rule>-conformance-pack-<id>` into `<rule>`; the Security Hub spelling
 * `securityhub-<rule>-<id>` is accepted here too). GuardDuty findings are keyed by their type,
 * exactly or by a prefix ending in `/` (`CryptoCurrency:EC2/`). An entry may be limited to some
 * resource types: GuardDuty reports the credentials of an IAM user and of an assumed role under
 * the same `…:IAMUser/…` types, and the fix differs (deactivate the user's key / revoke the role's
 * sessions).
 *
 * A Config or GuardDuty finding no entry names has no control: triage notifies, naming the rule.
 * `defaultMode` is the mode this control should run in unless a rule says otherwise (the lead wires
 * triage to it: Decision modes are chosen in lib/rules/triage.ts).
 */
import type { Finding, Mode } from '../finding';
import type { ControlId } from './catalog';
import { EXTERNAL_ACCESS, UNUSED_ACCESS } from '../sources/access-analyzer';
import { managedRuleId } from '../sources/config';

export type MappedSource = 'config' | 'guardduty';

export interface ControlMapping {
  source: MappedSource;
  /** Config: the managed rule name. GuardDuty: the finding type, or a prefix ending in `/` when `prefix` is true. */
  findingType: string;
  prefix?: boolean;
  /** Only findings about these resource types (CloudFormation types); every type the control handles when absent. */
  resourceTypes?: readonly string[];
  controlId: ControlId;
  defaultMode?: Mode;
}

const IAM_USER = ['AWS::IAM::User'] as const;
const IAM_ROLE = ['AWS::IAM::Role'] as const;

/**
 * GuardDuty finding families about IAM credentials (`<ThreatPurpose>:IAMUser/…`). On a user:
 * the access key is deactivated, with a human's approval. On a role: sessions issued so far are revoked.
 */
const IAM_CREDENTIAL_FAMILIES = [
  'UnauthorizedAccess:IAMUser/',
  'CredentialAccess:IAMUser/',
  'Exfiltration:IAMUser/',
  'Impact:IAMUser/',
  'Persistence:IAMUser/',
  'PrivilegeEscalation:IAMUser/',
  'DefenseEvasion:IAMUser/',
  'InitialAccess:IAMUser/',
  'Discovery:IAMUser/',
  'Stealth:IAMUser/',
  'PenTest:IAMUser/',
  'Recon:IAMUser/',
] as const;

export const CONTROL_MAPPINGS: readonly ControlMapping[] = [
  // Config managed rules
  { source: 'config', findingType: 'restricted-ssh', controlId: 'ec2-revoke-open-ingress' },
  { source: 'config', findingType: 'restricted-common-ports', controlId: 'ec2-revoke-open-ingress' },
  { source: 'config', findingType: 'vpc-sg-open-only-to-authorized-ports', controlId: 'ec2-revoke-open-ingress' },
  { source: 'config', findingType: 's3-bucket-ssl-requests-only', controlId: 's3-require-tls' },
  { source: 'config', findingType: 'access-keys-rotated', controlId: 'iam-deactivate-access-key', resourceTypes: IAM_USER, defaultMode: 'approve' },
  { source: 'config', findingType: 'ebs-snapshot-public-restorable-check', controlId: 'ebs-snapshot-unshare' },
  { source: 'config', findingType: 'rds-snapshots-public-prohibited', controlId: 'rds-snapshot-unshare' },
  // Today's default for public buckets and keys, kept as it was before this table existed.
  { source: 'config', findingType: 's3-bucket-public-read-prohibited', controlId: 's3-deny-all-bucket-policy' },
  { source: 'config', findingType: 's3-bucket-public-write-prohibited', controlId: 's3-deny-all-bucket-policy' },
  { source: 'config', findingType: 's3-bucket-level-public-access-prohibited', controlId: 's3-deny-all-bucket-policy' },
  { source: 'config', findingType: 'kms-key-policy-no-public-access', controlId: 'kms-remove-external-statements' },
  { source: 'config', findingType: 's3-bucket-acl-prohibited', controlId: 's3-remove-public-acl-grants' },
  { source: 'config', findingType: 'lambda-function-public-access-prohibited', controlId: 'lambda-remove-external-permissions' },
  { source: 'config', findingType: 'sqs-queue-policy-public-access-check', controlId: 'sqs-remove-external-statements' },
  { source: 'config', findingType: 'sns-topic-policy-public-access-check', controlId: 'sns-remove-external-statements' },
  { source: 'config', findingType: 'secretsmanager-secret-resource-policy-public-access-check', controlId: 'secretsmanager-remove-external-statements' },
  { source: 'config', findingType: 'ecr-repository-policy-public-access-check', controlId: 'ecr-remove-external-statements' },

  // GuardDuty: S3 policy findings (today's default for buckets)
  { source: 'guardduty', findingType: 'Policy:S3/BucketAnonymousAccessGranted', controlId: 's3-deny-all-bucket-policy' },
  { source: 'guardduty', findingType: 'Policy:S3/BucketPublicAccessGranted', controlId: 's3-deny-all-bucket-policy' },
  { source: 'guardduty', findingType: 'Policy:S3/BucketBlockPublicAccessDisabled', controlId: 's3-deny-all-bucket-policy' },
  // GuardDuty: IAM credentials
  ...IAM_CREDENTIAL_FAMILIES.flatMap((family): ControlMapping[] => [
    { source: 'guardduty', findingType: family, prefix: true, resourceTypes: IAM_USER, controlId: 'iam-deactivate-access-key', defaultMode: 'approve' },
    { source: 'guardduty', findingType: family, prefix: true, resourceTypes: IAM_ROLE, controlId: 'iam-revoke-role-sessions' },
  ]),
  // GuardDuty: a compromised instance (the instance is the actor, not the target)
  { source: 'guardduty', findingType: 'CryptoCurrency:EC2/', prefix: true, controlId: 'ec2-isolate-instance' },
  { source: 'guardduty', findingType: 'Backdoor:EC2/', prefix: true, controlId: 'ec2-isolate-instance' },
  { source: 'guardduty', findingType: 'Trojan:EC2/', prefix: true, controlId: 'ec2-isolate-instance' },
];

/**
 * Controls that only this table chooses: never the resource-type default for other findings
 * (an Access Analyzer finding on a role must not revoke its sessions; one on a bucket must not
 * pick s3-require-tls). A rule or a manual request may still name them.
 */
export const MAPPING_ONLY_CONTROL_IDS: ReadonlySet<string> = new Set<ControlId>([
  'ec2-revoke-open-ingress',
  's3-require-tls',
  'iam-deactivate-access-key',
  'iam-revoke-role-sessions',
  'ec2-isolate-instance',
]);

/** The Security Hub spelling of a Config rule it deploys for a standard: `securityhub-<rule>-<8 characters>`. */
const SECURITY_HUB_RULE = /^securityhub-(.+)-[a-z0-9]{8}$/;

/** The managed rule name behind a deployed Config rule name (conformance pack or Security Hub spelling). */
export function configRuleKey(ruleName: string): string {
  const id = managedRuleId(ruleName);
  return SECURITY_HUB_RULE.exec(id)?.[1] ?? id;
}

/** Whether this finding comes from Config or GuardDuty (directly or through Security Hub): the table decides its control. */
export function mappedSourceOf(finding: Finding): MappedSource | undefined {
  if (finding.source === 'config' || finding.source === 'guardduty') return finding.source;
  if (finding.source !== 'security-hub') return undefined;
  if (finding.type === EXTERNAL_ACCESS || finding.type === UNUSED_ACCESS) return undefined; // Access Analyzer through Security Hub
  // GuardDuty types are `Purpose:ResourceType/Family`; Config rule names have neither `:` nor `/`.
  return /^[A-Za-z0-9]+:[A-Za-z0-9]+\//.test(finding.type) ? 'guardduty' : 'config';
}

function entryMatches(entry: ControlMapping, source: MappedSource, type: string, resourceType: string): boolean {
  if (entry.source !== source) return false;
  if (entry.resourceTypes && !entry.resourceTypes.includes(resourceType)) return false;
  return entry.prefix ? type.startsWith(entry.findingType) : type === entry.findingType;
}

/** The table's entry for a Config or GuardDuty finding; undefined for other sources and for unmapped rules and types. */
export function mappingFor(finding: Finding): ControlMapping | undefined {
  const source = mappedSourceOf(finding);
  if (!source) return undefined;
  const type = source === 'config' ? configRuleKey(finding.type) : finding.type;
  return CONTROL_MAPPINGS.find((entry) => entryMatches(entry, source, type, finding.resource.type));
}

/** The mode the table suggests for this finding's control (approve for access keys), when it has one. */
export function defaultModeFor(finding: Finding): Mode | undefined {
  return mappingFor(finding)?.defaultMode;
}
