/**
 * The EventBridge rules that deliver findings to the state machine, as data: one entry per
 * rule, each a precise pattern so that only actionable statuses and types start an execution.
 *
 * Three facts of the deployment go into the patterns:
 * - `region`, `accountId`: where this copy of Remediator runs. Its direct rules already
 *   deliver Access Analyzer and GuardDuty findings of its region (an organization analyzer and
 *   the GuardDuty administrator account see every member account) and Config changes of its own
 *   account and region; the Security Hub rule excludes exactly those, so none is handled twice.
 * - `homeRegion`: IAM is global, so every regional analyzer reports the same role; only the
 *   rules for Access Analyzer's IAM findings match the home region's events, and the Security Hub
 *   rule lets none of its IAM copies through. Which types are IAM, and who reports them from every
 *   region, is decided once in lib/sources/home-region.ts; the normalizers and triage use it too.
 *
 * `EVENT_PATTERNS` holds the Serverless Framework variables for these facts, ready for
 * serverless.yml; `buildEventPatterns` takes concrete values (the tests use it).
 *
 * Only operators that both EventBridge and the local emulator implement are used: exact
 * values, `anything-but` with a list, `suffix`, `exists`, `$or`.
 */
import { ACCESS_ANALYZER_RESOURCE_TYPES } from '../lib/sources/access-analyzer';
import { GLOBAL_IAM_TYPES, isGlobalIamType } from '../lib/sources/home-region';
import { ASFF_TYPES_BY_RESOURCE_TYPE } from '../lib/sources/security-hub';

export interface PatternContext {
  /** The account this stack is deployed in. */
  accountId: string;
  /** The region this stack is deployed in. */
  region: string;
  /** The one region that acts on IAM findings. */
  homeRegion: string;
}

export interface EventRule {
  description: string;
  pattern: Record<string, unknown>;
}

/** What serverless.yml substitutes at deploy time. */
export const SERVERLESS_CONTEXT: PatternContext = {
  accountId: '${aws:accountId}',
  region: '${aws:region}',
  homeRegion: '${param:homeRegion}',
};

/** Access Analyzer external-access types that are not global IAM types (those have their own, home-region rule). */
const ACCESS_ANALYZER_REGIONAL_TYPES: string[] = ACCESS_ANALYZER_RESOURCE_TYPES.filter((type) => !isGlobalIamType(type));
/** Access Analyzer external-access types that are global IAM types: matched in the home region only. */
const ACCESS_ANALYZER_IAM_TYPES: string[] = ACCESS_ANALYZER_RESOURCE_TYPES.filter((type) => isGlobalIamType(type));
/** Unused-access findings are about IAM roles and users: the global IAM types, matched in the home region only. */
const UNUSED_ACCESS_TYPES: string[] = [...GLOBAL_IAM_TYPES];

/** An Access Analyzer finding that is live and was analyzed (error findings carry `error`). */
const LIVE_FINDING = { status: ['ACTIVE'], isDeleted: [false], error: [{ exists: false }] };

const PRODUCT = {
  accessAnalyzer: [{ suffix: '::product/aws/access-analyzer' }],
  guardDuty: [{ suffix: '::product/aws/guardduty' }],
  config: [{ suffix: '::product/aws/config' }],
};

/** ASFF resource types the normalizer maps for Access Analyzer findings, but the IAM ones (see the home-region rule); `Other` carries an ARN. */
const SECURITY_HUB_ACCESS_ANALYZER_TYPES = [
  ...ACCESS_ANALYZER_REGIONAL_TYPES.flatMap((type) => ASFF_TYPES_BY_RESOURCE_TYPE.get(type) ?? []),
  'Other',
];
const SECURITY_HUB_GUARDDUTY_TYPES = ['AwsS3Bucket', 'AwsIamAccessKey', 'AwsEc2Instance'];
const SECURITY_HUB_CONFIG_TYPES = [
  'AwsS3Bucket',
  'AwsKmsKey',
  'AwsLambdaFunction',
  'AwsSqsQueue',
  'AwsSnsTopic',
  'AwsSecretsManagerSecret',
  'AwsEc2Instance',
  'AwsEc2SecurityGroup',
  'AwsEc2Volume',
  'AwsEcrRepository',
  'AwsDynamoDbTable',
];
const OPEN_WORKFLOW = { Status: ['NEW', 'NOTIFIED'] };

export function buildEventPatterns(context: PatternContext): Record<string, EventRule> {
  return {
    accessAnalyzerFindings: {
      description: 'Access Analyzer external-access findings that are ACTIVE, for every resource type but IAM roles',
      pattern: {
        source: ['aws.access-analyzer'],
        'detail-type': ['Access Analyzer Finding'],
        detail: { ...LIVE_FINDING, resourceType: ACCESS_ANALYZER_REGIONAL_TYPES },
      },
    },
    accessAnalyzerIamRoleFindingsHomeRegion: {
      description: 'Access Analyzer IAM role findings, acted on in the home region only (every region reports them)',
      pattern: {
        source: ['aws.access-analyzer'],
        'detail-type': ['Access Analyzer Finding'],
        region: [context.homeRegion],
        detail: { ...LIVE_FINDING, resourceType: ACCESS_ANALYZER_IAM_TYPES },
      },
    },
    unusedAccessFindingsHomeRegion: {
      description: 'Access Analyzer unused-access findings (notify-only), from the home region only',
      pattern: {
        source: ['aws.access-analyzer'],
        'detail-type': ['Unused Access Finding for IAM entities'],
        region: [context.homeRegion],
        detail: { ...LIVE_FINDING, resourceType: UNUSED_ACCESS_TYPES },
      },
    },
    securityHubFindings: {
      description:
        'Security Hub findings from Access Analyzer, GuardDuty and Config that the direct rules of this deployment do not deliver (other regions, other accounts)',
      pattern: {
        source: ['aws.securityhub'],
        'detail-type': ['Security Hub Findings - Imported'],
        detail: {
          findings: {
            RecordState: ['ACTIVE'],
            $or: [
              {
                ProductArn: PRODUCT.accessAnalyzer,
                Region: [{ 'anything-but': [context.region] }],
                Workflow: OPEN_WORKFLOW,
                Resources: { Type: SECURITY_HUB_ACCESS_ANALYZER_TYPES },
              },
              {
                ProductArn: PRODUCT.guardDuty,
                Region: [{ 'anything-but': [context.region] }],
                Workflow: OPEN_WORKFLOW,
                Resources: { Type: SECURITY_HUB_GUARDDUTY_TYPES },
              },
              {
                ProductArn: PRODUCT.config,
                AwsAccountId: [{ 'anything-but': [context.accountId] }],
                Compliance: { Status: ['FAILED', 'PASSED'] },
                Resources: { Type: SECURITY_HUB_CONFIG_TYPES },
              },
              {
                ProductArn: PRODUCT.config,
                Region: [{ 'anything-but': [context.region] }],
                Compliance: { Status: ['FAILED', 'PASSED'] },
                Resources: { Type: SECURITY_HUB_CONFIG_TYPES },
              },
            ],
          },
        },
      },
    },
    configCompliance: {
      description: 'Config compliance changes on every resource type: NON_COMPLIANT acts (or notifies, where no control can), COMPLIANT closes',
      pattern: {
        source: ['aws.config'],
        'detail-type': ['Config Rules Compliance Change'],
        detail: {
          messageType: ['ComplianceChangeNotification'],
          newEvaluationResult: { complianceType: ['NON_COMPLIANT', 'COMPLIANT'] },
        },
      },
    },
    guardDutyFindings: {
      description: 'GuardDuty findings on S3 buckets, EC2 instances and IAM users or roles (access keys), not archived; samples included',
      pattern: {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: {
          service: { archived: [false] },
          resource: {
            $or: [
              { resourceType: ['S3Bucket', 'Instance'] },
              { resourceType: ['AccessKey'], accessKeyDetails: { userType: ['IAMUser', 'AssumedRole'] } },
            ],
          },
        },
      },
    },
    // No rule for remediator.manual: anyone with events:PutEvents could use it. Manual runbooks start only through
    // states:StartExecution with a signed proof of who asked (lib/requests/identity.ts).
  };
}

/** The rules for serverless.yml, with Serverless Framework variables for the deployment facts. */
export const EVENT_PATTERNS: Record<string, EventRule> = buildEventPatterns(SERVERLESS_CONTEXT);

/** Every resource type a rule names explicitly; each must be one the normalizers can name (a unit test checks). Config rules deliver every type. */
export const PATTERN_RESOURCE_TYPES: readonly string[] = [...new Set([...ACCESS_ANALYZER_RESOURCE_TYPES, ...UNUSED_ACCESS_TYPES])];
