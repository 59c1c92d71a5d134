/**
 * AWS Security Hub (`aws.securityhub`, `Security Hub Findings - Imported`): ASFF findings from
 * IAM Access Analyzer, GuardDuty and Config. One event carries a list; each finding is normalized
 * on its own, so that one bad finding is reported in `rejected` and does not sink its siblings.
 *
 * Products are recognised by the end of `ProductArn` (`…::product/aws/guardduty`): the field is
 * always present, unlike `ProductName`.
 */
import * as z from 'zod';
import { InvalidEventError, RemediatorError, UnsupportedEventError } from '../errors';
import type { Finding } from '../finding';
import { EXTERNAL_ACCESS, UNUSED_ACCESS, accessAnalyzerSeverity } from './access-analyzer';
import { accountIdSchema, invalid, parseField, regionSchema, requireResource, timestampSchema, toFinding, unsupported } from './common';
import { configRuleSeverity, managedRuleId } from './config';
import { type IamReporter, PRODUCT_LABEL, whyNotHandledHere } from './home-region';
import { type ArnResult, identifyResource, type ResourceIdentity, resourceFromAccessKeyPrincipal } from './resource-arn';
import { isSampleProductFields } from './samples';
import type { EventBridgeEnvelope, IgnoredFinding, NormalizeOptions, NormalizeResult, RejectedFinding } from './types';

const SOURCE = 'aws.securityhub';

/** The finding's ProductArn, kept so that its workflow status can be written back (BatchUpdateFindings names a finding by Id and ProductArn). */
export const PRODUCT_ARN_LABEL = 'productArn';

const AsffResourceSchema = z.object({
  Type: z.string().min(1).max(256),
  Id: z.string().min(1).max(2048),
  Partition: z.string().max(32).optional(),
  Region: z.string().max(64).optional(),
  // Only `Other` (Access Analyzer's grant) and `AwsIamAccessKey` (the key's principal) are read, each
  // on its own and leniently: a Details shape the normalizer does not model never rejects a finding.
  Details: z.record(z.string(), z.unknown()).optional(),
});

/** The principal of an access key, when Details.AwsIamAccessKey names one. */
const AccessKeyDetailsSchema = z.object({
  PrincipalName: z.string().optional(),
  PrincipalType: z.string().optional(),
  UserName: z.string().optional(),
});

const AsffFindingSchema = z.object({
  Id: z.string().min(1).max(512),
  ProductArn: z.string().min(1).max(2048),
  ProductName: z.string().optional(),
  GeneratorId: z.string().optional(),
  AwsAccountId: accountIdSchema,
  Region: regionSchema.optional(),
  Types: z.array(z.string().max(512)).max(50).optional(),
  Title: z.string().optional(),
  CreatedAt: timestampSchema.optional(),
  UpdatedAt: timestampSchema,
  Severity: z
    .object({
      Label: z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']).optional(),
      Normalized: z.number().int().min(0).max(100).optional(),
    })
    .optional(),
  Resources: z.array(AsffResourceSchema).min(1).max(32),
  Workflow: z.object({ Status: z.enum(['NEW', 'NOTIFIED', 'SUPPRESSED', 'RESOLVED']) }).optional(),
  RecordState: z.enum(['ACTIVE', 'ARCHIVED']).optional(),
  Compliance: z.object({ Status: z.enum(['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE']).optional() }).optional(),
  // ASFF says strings; a value of another kind is kept as its JSON text rather than rejecting the finding.
  ProductFields: z
    .record(z.string(), z.unknown())
    .transform((fields) => Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value) ?? ''])))
    .optional(),
  Sample: z.boolean().optional(),
});

type Asff = z.infer<typeof AsffFindingSchema>;
type AsffResource = z.infer<typeof AsffResourceSchema>;

const DetailSchema = z.object({ findings: z.array(z.unknown()).min(1) });

/** What differs per product: which finding type it gives, and which direct rule already delivers it. */
interface Product {
  name: string;
  /** `region`: the direct rule of a deployment sees every account's findings of its region (org analyzer, GuardDuty admin); `account-region`: only its own account's. */
  deliveredDirectly: 'region' | 'account-region';
  findingType(finding: Asff, field: string): string;
  /** Overrides the status taken from Workflow / RecordState; `ignore` with a reason when there is nothing to act on. */
  status?(finding: Asff): { status: Finding['status'] } | { ignore: string } | undefined;
  exposure?(finding: Asff): Finding['exposure'];
  /** The same severity as the direct source gives, so that triage sees one finding whichever way it came. */
  severity?(type: string, exposure: Finding['exposure']): Finding['severity'];
  /** Who reports the IAM findings of this product, for the home-region rule (lib/sources/home-region.ts). */
  iamReporter: IamReporter;
}

const PRODUCTS = new Map<string, Product>([
  [
    'access-analyzer',
    {
      name: 'IAM Access Analyzer',
      deliveredDirectly: 'region',
      findingType: (finding) =>
        (finding.Types ?? []).some((type) => /\/Unused [^/]*$/.test(type)) || (finding.ProductFields?.findingType ?? '').startsWith('Unused')
          ? UNUSED_ACCESS
          : EXTERNAL_ACCESS,
      exposure: accessAnalyzerExposure,
      severity: (type, exposure) => accessAnalyzerSeverity(type, exposure?.isPublic ?? false),
      iamReporter: 'security-hub/access-analyzer',
    },
  ],
  ['guardduty', { name: 'GuardDuty', deliveredDirectly: 'region', findingType: guardDutyType, iamReporter: 'regional' }],
  [
    'config',
    {
      name: 'Config',
      deliveredDirectly: 'account-region',
      findingType: (finding, field) => {
        const rule = finding.ProductFields?.['aws/config/ConfigRuleName'];
        if (!rule) throw invalid(SOURCE, `${field}.ProductFields`, 'a Config finding has no "aws/config/ConfigRuleName"');
        return managedRuleId(rule);
      },
      status: (finding) => CONFIG_COMPLIANCE.get(finding.Compliance?.Status ?? ''),
      severity: (type) => configRuleSeverity(type),
      iamReporter: 'regional',
    },
  ],
]);

/** The products this normalizer reads, as the last segment of their ProductArn. */
export const SECURITY_HUB_PRODUCTS: readonly string[] = [...PRODUCTS.keys()];

const CONFIG_COMPLIANCE = new Map<string, { status: Finding['status'] } | { ignore: string }>([
  ['FAILED', { status: 'ACTIVE' }],
  ['PASSED', { status: 'RESOLVED' }],
  ['WARNING', { ignore: 'Config reports WARNING: nothing to act on' }],
  ['NOT_AVAILABLE', { ignore: 'Config reports NOT_AVAILABLE: nothing to act on' }],
]);

/** ASFF resource types and the CloudFormation types they stand for. `AwsIamAccessKey` is resolved to its principal. */
const ASFF_RESOURCE_TYPES = new Map<string, string>([
  ['AwsS3Bucket', 'AWS::S3::Bucket'],
  ['AwsIamRole', 'AWS::IAM::Role'],
  ['AwsIamUser', 'AWS::IAM::User'],
  ['AwsKmsKey', 'AWS::KMS::Key'],
  ['AwsLambdaFunction', 'AWS::Lambda::Function'],
  ['AwsLambdaLayerVersion', 'AWS::Lambda::LayerVersion'],
  ['AwsSqsQueue', 'AWS::SQS::Queue'],
  ['AwsSnsTopic', 'AWS::SNS::Topic'],
  ['AwsSecretsManagerSecret', 'AWS::SecretsManager::Secret'],
  ['AwsEc2Instance', 'AWS::EC2::Instance'],
  ['AwsEc2SecurityGroup', 'AWS::EC2::SecurityGroup'],
  ['AwsEc2Volume', 'AWS::EC2::Volume'],
  ['AwsRdsDbSnapshot', 'AWS::RDS::DBSnapshot'],
  ['AwsRdsDbClusterSnapshot', 'AWS::RDS::DBClusterSnapshot'],
  ['AwsEcrRepository', 'AWS::ECR::Repository'],
  ['AwsDynamoDbTable', 'AWS::DynamoDB::Table'],
]);

/** The ASFF types of each CloudFormation type (for eventbridge/patterns.ts). */
export const ASFF_TYPES_BY_RESOURCE_TYPE: ReadonlyMap<string, readonly string[]> = [...ASFF_RESOURCE_TYPES].reduce((byType, [asff, cfn]) => {
  byType.set(cfn, [...(byType.get(cfn) ?? []), asff]);
  return byType;
}, new Map<string, string[]>());

const WORKFLOW_STATUS = new Map<string, Finding['status']>([
  ['NEW', 'ACTIVE'],
  ['NOTIFIED', 'ACTIVE'],
  ['SUPPRESSED', 'ARCHIVED'],
  ['RESOLVED', 'RESOLVED'],
]);

type Outcome = { finding: Finding } | { ignored: string };

export function normalizeSecurityHubFindings(event: EventBridgeEnvelope, options: NormalizeOptions = {}): NormalizeResult {
  const { findings: items } = parseField(DetailSchema, event.detail, SOURCE, 'detail');
  const findings: Finding[] = [];
  const rejected: RejectedFinding[] = [];
  const ignored: IgnoredFinding[] = [];
  items.forEach((item, index) => {
    const field = `detail.findings[${index}]`;
    const id = idOf(item) ?? field;
    try {
      const outcome = normalizeOne(item, field, event, options);
      if ('finding' in outcome) findings.push(outcome.finding);
      else ignored.push({ id, reason: outcome.ignored });
    } catch (error) {
      if (!(error instanceof InvalidEventError || error instanceof UnsupportedEventError)) throw error;
      rejected.push({ id, errorName: error.name, error: error.message });
    }
  });
  if (findings.length > 0) {
    return {
      kind: 'findings',
      findings,
      ...(rejected.length > 0 ? { rejected } : {}),
      ...(ignored.length > 0 ? { ignored } : {}),
    };
  }
  if (rejected.length > 0) throw allRejected(rejected, items.length);
  return { kind: 'ignored', reason: ignored.map((entry) => `${entry.id}: ${entry.reason}`).slice(0, 5).join('; ') };
}

function normalizeOne(item: unknown, field: string, event: EventBridgeEnvelope, options: NormalizeOptions): Outcome {
  const finding = parseField(AsffFindingSchema, item, SOURCE, field);
  const productKey = /::product\/aws\/([a-z0-9-]+)$/.exec(finding.ProductArn)?.[1] ?? '';
  const product = PRODUCTS.get(productKey);
  if (!product) {
    throw unsupported(SOURCE, `${field}.ProductArn`, `"${finding.ProductArn}" is not a product Remediator reads (${SECURITY_HUB_PRODUCTS.join(', ')})`);
  }
  const primary = finding.Resources[0] as AsffResource;
  const region = primary.Region ?? finding.Region ?? event.region;
  const duplicate = deliveredDirectly(product, finding.AwsAccountId, region, options);
  if (duplicate) return { ignored: duplicate };
  const sample = finding.Sample === true || isSampleProductFields(finding.ProductFields);
  let resource: ResourceIdentity;
  try {
    const located = locateResource(primary, finding.AwsAccountId, region, `${field}.Resources[0]`);
    if ('ignored' in located) return located;
    resource = requireResource(located, SOURCE, `${field}.Resources[0]`, options);
  } catch (error) {
    // A sample is never acted on or paged: one whose resource cannot be named is simply ignored.
    if (sample && (error instanceof InvalidEventError || error instanceof UnsupportedEventError)) return { ignored: `sample finding: ${error.message}` };
    throw error;
  }
  const notHere = whyNotHandledHere({ resourceType: resource.type, reporter: product.iamReporter, region }, options.homeRegion);
  if (notHere) return { ignored: notHere };
  const status = product.status?.(finding) ?? { status: statusOf(finding) };
  if ('ignore' in status) return { ignored: status.ignore };
  const type = product.findingType(finding, field);
  const exposure = product.exposure?.(finding);

  return {
    finding: toFinding(
      {
        id: finding.Id,
        source: 'security-hub',
        type,
        status: status.status,
        severity: product.severity?.(type, exposure) ?? finding.Severity?.Label ?? severityFromNormalized(finding.Severity?.Normalized),
        resource,
        exposure,
        observedAt: finding.UpdatedAt,
        sample,
        labels: { [PRODUCT_LABEL]: productKey, ...(finding.ProductArn.length <= 1024 ? { [PRODUCT_ARN_LABEL]: finding.ProductArn } : {}) },
        raw: { eventId: event.id, source: event.source, detailType: event['detail-type'] },
      },
      SOURCE,
    ),
  };
}

function statusOf(finding: Asff): Finding['status'] {
  if (finding.RecordState === 'ARCHIVED') return 'RESOLVED';
  return WORKFLOW_STATUS.get(finding.Workflow?.Status ?? 'NEW') ?? 'ACTIVE';
}

function locateResource(resource: AsffResource, accountId: string, region: string, field: string): ArnResult | { ignored: string } {
  const where = { accountId, region, ...(resource.Partition ? { partition: resource.Partition } : {}) };
  if (resource.Type === 'AwsIamAccessKey') {
    // The key's Id is the key (`AWS::IAM::AccessKey:ASIA…`), not an ARN: the principal behind it is the resource.
    const key = AccessKeyDetailsSchema.safeParse(resource.Details?.AwsIamAccessKey);
    const principal = key.success ? key.data : {};
    const name = principal.PrincipalName || principal.UserName;
    const type = principal.PrincipalType || (principal.UserName ? 'IAMUser' : undefined);
    if (type && name) return resourceFromAccessKeyPrincipal(type, name, where);
    if (resource.Id.startsWith('arn:')) return identifyResource(resource.Id, { accountId, region });
    return { ignored: `${field}: an access key whose Details.AwsIamAccessKey names no principal: nothing Remediator can act on` };
  }
  const expectedType = ASFF_RESOURCE_TYPES.get(resource.Type);
  // `Other` and types we have no mapping for: the ARN in `Id` says what the resource is.
  return identifyResource(resource.Id, { ...(expectedType ? { expectedType } : {}), accountId, region });
}

function deliveredDirectly(product: Product, accountId: string, region: string, options: NormalizeOptions): string | undefined {
  const deployment = options.deployment;
  if (!deployment || region !== deployment.region) return undefined;
  if (product.deliveredDirectly === 'account-region' && accountId !== deployment.accountId) return undefined;
  return `${product.name} findings of ${product.deliveredDirectly === 'region' ? region : `${accountId} in ${region}`} arrive through the direct ${product.name} rule`;
}

/**
 * GuardDuty's finding type, from the ASFF `Types` entry that carries it: Security Hub uses `/` as its
 * namespace separator, so `Backdoor:EC2/C&CActivity.B!DNS` appears as `…/Backdoor:EC2-C&CActivity.B!DNS`.
 */
function guardDutyType(finding: Asff, field: string): string {
  for (const type of finding.Types ?? []) {
    for (const segment of type.split('/')) {
      const match = /^([A-Za-z0-9]+:[A-Za-z0-9]+)-(.+)$/.exec(segment);
      if (match) return `${match[1]}/${match[2]}`;
    }
  }
  throw invalid(SOURCE, `${field}.Types`, 'no entry carries a GuardDuty finding type (ThreatPurpose:ResourceType-ThreatFamily)');
}

const OtherDetailsSchema = z.record(z.string(), z.unknown());

/** Access Analyzer writes the grant into `Resources[0].Details.Other` (strings; anything else is read as text or skipped). */
function accessAnalyzerExposure(finding: Asff): Finding['exposure'] {
  const parsed = OtherDetailsSchema.safeParse(finding.Resources[0]?.Details?.Other);
  if (!parsed.success) return undefined;
  const other = Object.fromEntries(
    Object.entries(parsed.data).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : typeof value === 'number' || typeof value === 'boolean' ? [[key, String(value)]] : [])),
  ) as Record<string, string>;
  const principals = splitList(other['External Principal']);
  const condition = other.Condition;
  return {
    isPublic: principals.includes('*') || /allows public access/i.test(finding.Title ?? ''),
    principals,
    actions: splitList(other['Action Granted']),
    conditions: condition && condition !== 'none' ? { Condition: condition } : {},
  };
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function severityFromNormalized(normalized: number | undefined): Finding['severity'] {
  if (normalized === undefined) return 'MEDIUM';
  if (normalized >= 90) return 'CRITICAL';
  if (normalized >= 70) return 'HIGH';
  if (normalized >= 40) return 'MEDIUM';
  if (normalized >= 1) return 'LOW';
  return 'INFORMATIONAL';
}

function idOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const id = (item as { Id?: unknown }).Id;
  return typeof id === 'string' && id.length > 0 ? id.slice(0, 512) : undefined;
}

function allRejected(rejected: RejectedFinding[], total: number): RemediatorError {
  const first = rejected[0] as RejectedFinding;
  const message = `${SOURCE} event: none of its ${total} findings could be normalized; first: ${first.error}`;
  const context = { source: SOURCE, rejected };
  return rejected.every((entry) => entry.errorName === 'UnsupportedEventError')
    ? new UnsupportedEventError(message, { context })
    : new InvalidEventError(message, { context });
}

/**
 * One single-finding event per finding of a Security Hub event, for a workflow that maps
 * over findings before classifying them. Every other event comes back alone.
 */
export function splitSecurityHubEvent(event: EventBridgeEnvelope): EventBridgeEnvelope[] {
  const findings = event.detail.findings;
  if (!Array.isArray(findings) || findings.length <= 1) return [event];
  return findings.map((finding) => ({ ...event, detail: { ...event.detail, findings: [finding] } }));
}
