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
 *   rules for IAM findings match the home region's events. The normalizer checks the same
 *   (lib/sources, `NormalizeOptions`), in case an event arrives by another way.
 *
 * `EVENT_PATTERNS` holds the Serverless Framework variables for these facts, ready for
 * serverless.yml; `buildEventPatterns` takes concrete values (the tests use it).
 *
 * Only operators that both EventBridge and the local emulator implement are used: exact
 * values, `anything-but` with a list, `suffix`, `exists`, `$or`.
 */
import { ACCESS_ANALYZER_RESOURCE_TYPES } from '../lib/sources/access-analyzer';
import { TYPES_NAMED_BY_ID } from '../lib/sources/resource-arn';

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

const IAM_TYPES = ['AWS::IAM::Role', 'AWS::IAM::User'];

/** Access Analyzer external-access types other than IAM roles (those have their own, home-region rule). */
const ACCESS_ANALYZER_REGIONAL_TYPES: string[] = ACCESS_ANALYZER_RESOURCE_TYPES.filter((type) => !IAM_TYPES.includes(type));

/** Config reports resources by name or id: only the types whose ARN can be built from it. */
const CONFIG_RESOURCE_TYPES = TYPES_NAMED_BY_ID.filter((type) => !IAM_TYPES.includes(type));

/** An Access Analyzer finding that is live and was analyzed (error findings carry `error`). */
const LIVE_FINDING = { status: ['ACTIVE'], isDeleted: [false], error: [{ exists: false }] };

const PRODUCT = {
  accessAnalyzer: [{ suffix: '::product/aws/access-analyzer' }],
  guardDuty: [{ suffix: '::product/aws/guardduty' }],
  config: [{ suffix: '::product/aws/config' }],
};

/** ASFF resource types that the normalizer maps (IAM excluded: see the home-region rule). */
const SECURITY_HUB_ACCESS_ANALYZER_TYPES = [
  'AwsS3Bucket',
  'AwsKmsKey',
  'AwsLambdaFunction',
  'AwsLambdaLayerVersion',
  'AwsSqsQueue',
  'AwsSnsTopic',
  'AwsSecretsManagerSecret',
  'AwsRdsDbSnapshot',
  'AwsRdsDbClusterSnapshot',
  'AwsEcrRepository',
  'AwsDynamoDbTable',
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
        detail: { ...LIVE_FINDING, resourceType: ['AWS::IAM::Role'] },
      },
    },
    unusedAccessFindingsHomeRegion: {
      description: 'Access Analyzer unused-access findings (notify-only), from the home region only',
      pattern: {
        source: ['aws.access-analyzer'],
        'detail-type': ['Unused Access Finding for IAM entities'],
        region: [context.homeRegion],
        detail: { ...LIVE_FINDING, resourceType: IAM_TYPES },
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
      description: 'Config compliance changes: NON_COMPLIANT acts, COMPLIANT closes; for resource types Remediator can name',
      pattern: {
        source: ['aws.config'],
        'detail-type': ['Config Rules Compliance Change'],
        detail: {
          messageType: ['ComplianceChangeNotification'],
          newEvaluationResult: {
            complianceType: ['NON_COMPLIANT', 'COMPLIANT'],
            evaluationResultIdentifier: { evaluationResultQualifier: { resourceType: CONFIG_RESOURCE_TYPES } },
          },
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
    manualRequests: {
      description: 'Manual remediation requests from the CLI (remediate run)',
      pattern: {
        source: ['remediator.manual'],
        'detail-type': ['Manual Remediation Request'],
      },
    },
  };
}

/** The rules for serverless.yml, with Serverless Framework variables for the deployment facts. */
export const EVENT_PATTERNS: Record<string, EventRule> = buildEventPatterns(SERVERLESS_CONTEXT);

/** Every resource type a rule can deliver; each must be one the normalizers can name (a unit test checks). */
export const PATTERN_RESOURCE_TYPES: readonly string[] = [...new Set([...ACCESS_ANALYZER_REGIONAL_TYPES, ...IAM_TYPES, ...CONFIG_RESOURCE_TYPES])];
