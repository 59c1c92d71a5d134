import { z } from 'zod';
import { InvalidEventError, UnsupportedEventError } from '../errors';
import { FindingSchema, type Finding } from '../finding';
import { formatIssues } from './envelope';
import type { EventBridgeEnvelope, NormalizeResult } from './types';

const SOURCE = 'aws.access-analyzer';

/** The resource types Remediator knows how to name; others are UnsupportedEventError. */
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

const DetailSchema = z.object({
  id: z.string().min(1),
  status: z.enum(['ACTIVE', 'ARCHIVED', 'RESOLVED']),
  resourceType: z.string().min(1),
  resource: z.string().min(1),
  accountId: z.string().regex(/^\d{12}$/),
  region: z.string().optional(),
  updatedAt: z.string().optional(),
  analyzedAt: z.string().optional(),
  createdAt: z.string().optional(),
  isPublic: z.boolean().optional(),
  principal: z.record(z.string(), z.string()).optional(),
  action: z.array(z.string()).optional(),
  condition: z.record(z.string(), z.string()).optional(),
  error: z.string().optional(),
  isDeleted: z.boolean().optional(),
});

/** "Access Analyzer Finding": one external-access finding. */
export function normalizeAccessAnalyzerFinding(event: EventBridgeEnvelope): NormalizeResult {
  const parsed = DetailSchema.safeParse(event.detail);
  if (!parsed.success) {
    throw new InvalidEventError(`${SOURCE} event: detail.${formatIssues(parsed.error)}`, { context: { source: SOURCE } });
  }
  const detail = parsed.data;
  if (!(ACCESS_ANALYZER_RESOURCE_TYPES as readonly string[]).includes(detail.resourceType)) {
    throw new UnsupportedEventError(`${SOURCE} event: detail.resourceType "${detail.resourceType}" is not a resource type Remediator knows`, {
      context: { source: SOURCE, resourceType: detail.resourceType },
    });
  }
  if (detail.error) {
    return { kind: 'ignored', reason: `Access Analyzer could not analyze ${detail.resource}: ${detail.error}` };
  }
  const resourceArn = toResourceArn(detail.resource, detail.resourceType, detail.accountId, detail.region ?? event.region);
  const candidate: z.input<typeof FindingSchema> = {
    id: detail.id,
    source: 'access-analyzer',
    type: 'ExternalAccess',
    status: detail.status,
    severity: detail.isPublic ? 'CRITICAL' : 'HIGH',
    resource: { arn: resourceArn, type: detail.resourceType, accountId: detail.accountId, region: detail.region ?? event.region },
    exposure: {
      isPublic: detail.isPublic ?? false,
      principals: Object.values(detail.principal ?? {}),
      actions: detail.action ?? [],
      conditions: detail.condition ?? {},
    },
    observedAt: detail.updatedAt ?? detail.analyzedAt ?? event.time,
    raw: { eventId: event.id, source: event.source, detailType: event['detail-type'] },
  };
  const finding = FindingSchema.safeParse(candidate);
  if (!finding.success) {
    throw new InvalidEventError(`${SOURCE} event: ${formatIssues(finding.error)}`, { context: { source: SOURCE } });
  }
  return { kind: 'findings', findings: [finding.data as Finding] };
}

/** Access Analyzer names S3 buckets and some others by ARN already; IAM roles too. Keep what is an ARN. */
function toResourceArn(resource: string, resourceType: string, accountId: string, region: string): string {
  if (resource.startsWith('arn:')) return resource;
  if (resourceType === 'AWS::S3::Bucket') return `arn:aws:s3:::${resource}`;
  throw new InvalidEventError(`${SOURCE} event: detail.resource "${resource}" is not an ARN`, {
    context: { source: SOURCE, resourceType, accountId, region },
  });
}
