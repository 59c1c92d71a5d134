/**
 * Amazon GuardDuty (`aws.guardduty`, `GuardDuty Finding`).
 * The finding type is kept as issued (`Policy:S3/BucketAnonymousAccessGranted`, `CryptoCurrency:EC2/BitcoinTool.B!DNS`).
 * The resource is chosen by `detail.resource.resourceType`: the bucket of an S3 finding, the IAM user
 * or role behind the access key of a credential finding, the instance of an EC2 finding. Other
 * resource types (EKS, ECS, Lambda, RDS, …) are UnsupportedEventError. Sample findings
 * (`service.additionalInfo.sample`, true or "true", or the same flag inside the JSON text of
 * `additionalInfo.value`) are normalized with `sample: true` — triage never acts on them unless a
 * rule says so — and a sample whose resource cannot be named is ignored, never an error.
 *
 * Labels kept for what comes after triage: `detectorId` (from `service.detectorId`, else the
 * finding ARN), so that Check Resolution can archive the finding once the fix is verified; and, for
 * an AccessKey finding, `accessKeyId`, so that iam-deactivate-access-key deactivates that key only.
 */
import * as z from 'zod';
import { InvalidEventError, UnsupportedEventError } from '../errors';
import type { Finding } from '../finding';
import { accountIdSchema, invalid, parseField, regionSchema, requireResource, severityFromScore, timestampSchema, toFinding, unsupported } from './common';
import { type ArnResult, type ResourceIdentity, resourceFromAccessKeyPrincipal, resourceFromId } from './resource-arn';
import { isSampleInfo } from './samples';
import type { EventBridgeEnvelope, NormalizeOptions, NormalizeResult } from './types';

const SOURCE = 'aws.guardduty';

/** A GuardDuty detector id (lowercase hex, 32 characters today; the API allows 1 to 300). */
const DETECTOR_ID = z.string().regex(/^[0-9a-z]{1,300}$/, 'a detector id is lowercase letters and digits');

/** `arn:<partition>:guardduty:<region>:<account>:detector/<detector>/finding/<id>`. */
const FINDING_ARN = /^arn:aws[a-z-]*:guardduty:[a-z0-9-]+:\d{12}:detector\/([0-9a-z]{1,300})\/finding\/[0-9a-z]+$/;

const ResourceSchema = z.object({
  resourceType: z.string().min(1).max(128),
  accessKeyDetails: z
    .object({
      // IAM's AccessKeyId pattern (`[\w]+`, 16 to 128 characters); GuardDuty's samples use `GeneratedFindingAccessKeyId`.
      accessKeyId: z.string().regex(/^\w{16,128}$/, 'an access key id is 16 to 128 word characters').optional(),
      principalId: z.string().optional(),
      userName: z.string().min(1).max(512).optional(),
      userType: z.string().min(1).max(64).optional(),
    })
    .optional(),
  s3BucketDetails: z
    .array(
      z.object({
        arn: z.string().max(2048).optional(),
        name: z.string().max(255).optional(),
        type: z.string().optional(),
        publicAccess: z.object({ effectivePermission: z.string().optional() }).optional(),
      }),
    )
    .optional(),
  instanceDetails: z.object({ instanceId: z.string().min(1).max(64).optional() }).optional(),
});

const DetailSchema = z.object({
  accountId: accountIdSchema,
  region: regionSchema,
  partition: z.enum(['aws', 'aws-cn', 'aws-us-gov']).optional(),
  id: z.string().min(1).max(300),
  arn: z.string().max(2048).optional(),
  type: z.string().regex(/^[A-Za-z0-9]+:[A-Za-z0-9]+\/[\x21-\x7e]{1,200}$/, 'a GuardDuty finding type looks like ThreatPurpose:ResourceType/ThreatFamily'),
  resource: ResourceSchema,
  service: z
    .object({
      archived: z.boolean().optional(),
      detectorId: DETECTOR_ID.optional(),
      // Read for the sample flag only (`sample`, or inside the JSON text of `value`): no other field is needed.
      additionalInfo: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  severity: z.number().min(0).max(10),
  createdAt: timestampSchema.optional(),
  updatedAt: timestampSchema.optional(),
});

type Detail = z.infer<typeof DetailSchema>;

interface Located {
  resource: ResourceIdentity;
  exposure?: Finding['exposure'];
  labels?: Record<string, string>;
}

/** How to find the resource for each GuardDuty resource type: a table, not a ladder. */
const RESOURCE_LOCATORS = new Map<string, (detail: Detail, options: NormalizeOptions) => Located>([
  ['S3Bucket', locateBucket],
  ['AccessKey', locateAccessKeyPrincipal],
  ['Instance', locateInstance],
]);

/** The GuardDuty resource types Remediator acts on. */
export const GUARDDUTY_RESOURCE_TYPES: readonly string[] = [...RESOURCE_LOCATORS.keys()];

export function normalizeGuardDutyFinding(event: EventBridgeEnvelope, options: NormalizeOptions): NormalizeResult {
  const detail = parseField(DetailSchema, event.detail, SOURCE, 'detail');
  const sample = isSampleInfo(detail.service?.additionalInfo);
  let located: Located;
  try {
    const locate = RESOURCE_LOCATORS.get(detail.resource.resourceType);
    if (!locate) {
      throw unsupported(SOURCE, 'detail.resource.resourceType', `"${detail.resource.resourceType}" is not a resource type Remediator supports`);
    }
    located = locate(detail, options);
  } catch (error) {
    // A sample is never acted on or paged: one whose resource cannot be named is simply ignored.
    if (sample && (error instanceof InvalidEventError || error instanceof UnsupportedEventError)) {
      return { kind: 'ignored', reason: `GuardDuty sample finding ${detail.id}: ${error.message}` };
    }
    throw error;
  }
  const { resource, exposure } = located;
  const detectorId = detail.service?.detectorId ?? (detail.arn ? FINDING_ARN.exec(detail.arn)?.[1] : undefined);
  const finding = toFinding(
    {
      id: detail.id,
      source: 'guardduty',
      type: detail.type,
      status: detail.service?.archived ? 'ARCHIVED' : 'ACTIVE',
      severity: severityFromScore(detail.severity),
      resource,
      exposure,
      labels: { ...(detectorId ? { detectorId } : {}), ...located.labels },
      observedAt: detail.updatedAt ?? detail.createdAt ?? event.time,
      sample,
      raw: { eventId: event.id, source: event.source, detailType: event['detail-type'] },
    },
    SOURCE,
  );
  return { kind: 'findings', findings: [finding] };
}

function where(detail: Detail): { accountId: string; region: string; partition?: string } {
  return { accountId: detail.accountId, region: detail.region, ...(detail.partition ? { partition: detail.partition } : {}) };
}

/** The first bucket of `s3BucketDetails`: GuardDuty S3 findings name the affected bucket there. */
function locateBucket(detail: Detail, options: NormalizeOptions): Located {
  const bucket = detail.resource.s3BucketDetails?.[0];
  const id = bucket?.arn || bucket?.name;
  if (!bucket || !id) throw invalid(SOURCE, 'detail.resource.s3BucketDetails', 'an S3Bucket finding names no bucket');
  const result: ArnResult = resourceFromId('AWS::S3::Bucket', id, where(detail));
  const resource = requireResource(result, SOURCE, 'detail.resource.s3BucketDetails[0]', options);
  const permission = bucket.publicAccess?.effectivePermission;
  return permission === undefined ? { resource } : { resource, exposure: { isPublic: permission === 'PUBLIC', principals: [], actions: [], conditions: {} } };
}

/** The IAM user, or the role of the assumed-role session, whose access key was used. */
function locateAccessKeyPrincipal(detail: Detail, options: NormalizeOptions): Located {
  const key = detail.resource.accessKeyDetails;
  if (!key?.userType || !key.userName) {
    throw invalid(SOURCE, 'detail.resource.accessKeyDetails', 'an AccessKey finding needs userType and userName');
  }
  return {
    resource: requireResource(resourceFromAccessKeyPrincipal(key.userType, key.userName, where(detail)), SOURCE, 'detail.resource.accessKeyDetails', options),
    // The key itself: iam-deactivate-access-key deactivates this one only (not every key of the user).
    ...(key.accessKeyId ? { labels: { accessKeyId: key.accessKeyId } } : {}),
  };
}

function locateInstance(detail: Detail, options: NormalizeOptions): Located {
  const instanceId = detail.resource.instanceDetails?.instanceId;
  if (!instanceId) throw invalid(SOURCE, 'detail.resource.instanceDetails.instanceId', 'an Instance finding names no instance');
  return { resource: requireResource(resourceFromId('AWS::EC2::Instance', instanceId, where(detail)), SOURCE, 'detail.resource.instanceDetails.instanceId', options) };
}
