/**
 * IAM Access Analyzer (`aws.access-analyzer`), as it sends events directly to EventBridge:
 * - `Access Analyzer Finding`: external access, every resource type, ACTIVE / ARCHIVED / RESOLVED;
 *   error findings and deleted findings are ignored on purpose;
 * - `Unused Access Finding for IAM entities`: unused roles, keys, passwords, permissions —
 *   notify-only, exposed to triage as the finding type `UnusedAccess`;
 * - every other detail-type (`Access Preview State Change`, `Internal Access Finding`, …) is
 *   recognised and ignored on purpose.
 */
import * as z from 'zod';
import type { Finding } from '../finding';
import { accountIdSchema, parseField, regionSchema, requireResource, timestampSchema, toFinding, unsupported } from './common';
import { whyNotHandledHere } from './home-region';
import { identifyResource } from './resource-arn';
import type { EventBridgeEnvelope, NormalizeOptions, NormalizeResult } from './types';

const SOURCE = 'aws.access-analyzer';

/** The finding type of an external-access finding. */
export const EXTERNAL_ACCESS = 'ExternalAccess';
/** The finding type of an unused-access finding: triage must only notify, never change anything. */
export const UNUSED_ACCESS = 'UnusedAccess';
/** Finding types that no rule may remediate automatically; triage sends them to NOTIFY. */
export const NOTIFY_ONLY_FINDING_TYPES: readonly string[] = [UNUSED_ACCESS];

export function isNotifyOnlyFinding(finding: Pick<Finding, 'type'>): boolean {
  return NOTIFY_ONLY_FINDING_TYPES.includes(finding.type);
}

/** Access Analyzer's own judgement is binary: public is CRITICAL, cross-account HIGH; unused access LOW. */
export function accessAnalyzerSeverity(type: string, isPublic: boolean): Finding['severity'] {
  if (type === UNUSED_ACCESS) return 'LOW';
  return isPublic ? 'CRITICAL' : 'HIGH';
}

/** The resource types Access Analyzer reports external access for; others are UnsupportedEventError. */
export const ACCESS_ANALYZER_RESOURCE_TYPES = [
  'AWS::S3::Bucket',
  'AWS::S3Express::DirectoryBucket',
  'AWS::IAM::Role',
  'AWS::KMS::Key',
  'AWS::Lambda::Function',
  'AWS::Lambda::LayerVersion',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::SecretsManager::Secret',
  'AWS::EC2::Snapshot',
  'AWS::RDS::DBSnapshot',
  'AWS::RDS::DBClusterSnapshot',
  'AWS::ECR::Repository',
  'AWS::EFS::FileSystem',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::Stream',
] as const;

const accountId = accountIdSchema;
const status = z.enum(['ACTIVE', 'ARCHIVED', 'RESOLVED']);
const timestamp = timestampSchema;

const ExternalAccessDetailSchema = z.object({
  id: z.string().min(1).max(1024),
  status,
  resourceType: z.string().min(1).max(256),
  resource: z.string().min(1).max(2048),
  accountId,
  region: regionSchema.optional(),
  updatedAt: timestamp.optional(),
  analyzedAt: timestamp.optional(),
  createdAt: timestamp.optional(),
  isPublic: z.boolean().optional(),
  principal: z.record(z.string(), z.string()).optional(),
  action: z.array(z.string()).optional(),
  condition: z.record(z.string(), z.string()).optional(),
  error: z.string().optional(),
  isDeleted: z.boolean().optional(),
});

const UnusedAccessDetailSchema = z.object({
  findingId: z.string().min(1).max(1024),
  status,
  resourceType: z.enum(['AWS::IAM::Role', 'AWS::IAM::User']),
  resource: z.string().min(1).max(2048),
  accountId,
  findingType: z.string().min(1).max(128),
  updatedAt: timestamp.optional(),
  analyzedAt: timestamp.optional(),
  createdAt: timestamp.optional(),
  error: z.string().optional(),
  isDeleted: z.boolean().optional(),
});

/** `Access Analyzer Finding`: one external-access finding. */
export function normalizeAccessAnalyzerFinding(event: EventBridgeEnvelope, options: NormalizeOptions = {}): NormalizeResult {
  const detail = parseField(ExternalAccessDetailSchema, event.detail, SOURCE, 'detail');
  if (!(ACCESS_ANALYZER_RESOURCE_TYPES as readonly string[]).includes(detail.resourceType)) {
    throw unsupported(SOURCE, 'detail.resourceType', `"${detail.resourceType}" is not a resource type Remediator supports`);
  }
  const region = detail.region ?? event.region;
  const skip = whyIgnored(detail, detail.resourceType, event.region, options);
  if (skip) return { kind: 'ignored', reason: skip };
  const resource = requireResource(
    identifyResource(detail.resource, { expectedType: detail.resourceType, accountId: detail.accountId, region }),
    SOURCE,
    'detail.resource',
    options,
  );
  const finding = toFinding(
    {
      id: detail.id,
      source: 'access-analyzer',
      type: EXTERNAL_ACCESS,
      status: detail.status,
      severity: accessAnalyzerSeverity(EXTERNAL_ACCESS, detail.isPublic ?? false),
      resource,
      exposure: {
        isPublic: detail.isPublic ?? false,
        principals: Object.values(detail.principal ?? {}),
        actions: detail.action ?? [],
        conditions: detail.condition ?? {},
      },
      observedAt: detail.updatedAt ?? detail.analyzedAt ?? detail.createdAt ?? event.time,
      labels: analyzerLabel(event),
      raw: { eventId: event.id, source: event.source, detailType: event['detail-type'] },
    },
    SOURCE,
  );
  return { kind: 'findings', findings: [finding] };
}

/** The analyzer that reported the finding (the event's `resources`): what archiving it needs. */
function analyzerLabel(event: EventBridgeEnvelope): Record<string, string> {
  const analyzerArn = (event.resources ?? []).find((arn) => /^arn:aws[\w-]*:access-analyzer:[a-z0-9-]+:\d{12}:analyzer\/[\w.-]+$/.test(arn));
  return analyzerArn ? { analyzerArn } : {};
}

/** `Unused Access Finding for IAM entities`: notify-only. */
export function normalizeUnusedAccessFinding(event: EventBridgeEnvelope, options: NormalizeOptions = {}): NormalizeResult {
  const detail = parseField(UnusedAccessDetailSchema, event.detail, SOURCE, 'detail');
  const skip = whyIgnored(detail, detail.resourceType, event.region, options);
  if (skip) return { kind: 'ignored', reason: skip };
  const resource = requireResource(
    identifyResource(detail.resource, { expectedType: detail.resourceType, accountId: detail.accountId, region: event.region }),
    SOURCE,
    'detail.resource',
    options,
  );
  const finding = toFinding(
    {
      id: detail.findingId,
      source: 'access-analyzer',
      type: UNUSED_ACCESS,
      status: detail.status,
      severity: accessAnalyzerSeverity(UNUSED_ACCESS, false),
      resource,
      observedAt: detail.updatedAt ?? detail.analyzedAt ?? detail.createdAt ?? event.time,
      raw: { eventId: event.id, source: event.source, detailType: event['detail-type'] },
    },
    SOURCE,
  );
  return { kind: 'findings', findings: [finding] };
}

/** Access previews, internal-access findings and any future detail-type: recognised, not acted on. */
export function ignoreOtherAccessAnalyzerEvent(event: EventBridgeEnvelope): NormalizeResult {
  return { kind: 'ignored', reason: `${SOURCE} "${event['detail-type']}" events are not findings Remediator acts on` };
}

function whyIgnored(
  detail: { error?: string | undefined; isDeleted?: boolean | undefined; resource: string },
  resourceType: string,
  eventRegion: string,
  options: NormalizeOptions,
): string | undefined {
  if (detail.isDeleted) return `the Access Analyzer finding for ${detail.resource} was deleted`;
  if (detail.error) return `Access Analyzer could not analyze ${detail.resource}: ${detail.error}`;
  return whyNotHandledHere({ resourceType, reporter: 'access-analyzer', region: eventRegion }, options.homeRegion);
}
