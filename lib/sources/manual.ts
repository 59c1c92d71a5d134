/**
 * Manual requests from the CLI (`remediate run <control> --resource <arn>`), sent as
 * source `remediator.manual`, detail-type `Manual Remediation Request`:
 * `detail = { resourceArn, resourceType?, controlId?, mode?, requestedBy, reason? }`.
 * Validated like any other source. The resource's type, account and region come from the
 * ARN where it carries them (S3 and IAM ARNs carry no region, S3 ARNs no account: the
 * envelope's `account` and `region` fill in); `resourceType` is required only when the ARN
 * does not tell, and must agree with it when it does.
 */
import * as z from 'zod';
import { MODES } from '../finding';
import { invalid, parseField, refuseForeignPartition, requireResource, toFinding } from './common';
import { identifyResource, parseArn } from './resource-arn';
import type { EventBridgeEnvelope, NormalizeOptions, NormalizeResult } from './types';

export const MANUAL_SOURCE = 'remediator.manual';
export const MANUAL_DETAIL_TYPE = 'Manual Remediation Request';
/** The finding type of a manual request that names no control: triage picks the control. */
export const MANUAL_REQUEST = 'ManualRequest';

export const ManualRequestSchema = z.object({
  resourceArn: z.string().min(1).max(2048),
  resourceType: z
    .string()
    .regex(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/, 'a resource type looks like AWS::Service::Resource')
    .optional(),
  controlId: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a control id is kebab-case, e.g. s3-deny-all-bucket-policy')
    .max(128)
    .optional(),
  mode: z.enum(MODES).optional(),
  /** Ignored for the audit trail: the requester is what the identity proof proves (lib/requests/identity.ts). */
  requestedBy: z.string().trim().min(1).max(256).optional(),
  reason: z.string().max(2048).optional(),
  rollbackOf: z.string().regex(/^[\w.:-]{1,128}$/, 'a change id is an execution name').optional(),
  nonce: z.string().regex(/^[0-9a-f]{16,64}$/, 'a nonce is 16 to 64 hex characters').optional(),
  identity: z.object({ url: z.string().url().max(512), headers: z.record(z.string().max(128), z.string().max(4096)), body: z.string().max(256) }).optional(),
});
export type ManualRequest = z.infer<typeof ManualRequestSchema>;

export function normalizeManualRequest(event: EventBridgeEnvelope, options: NormalizeOptions): NormalizeResult {
  const detail = parseField(ManualRequestSchema, event.detail, MANUAL_SOURCE, 'detail');
  refuseForeignPartition(detail.resourceArn, MANUAL_SOURCE, 'detail.resourceArn', options);
  const resource = requireResource(resolveResource(detail, event), MANUAL_SOURCE, 'detail.resourceArn', options);
  const finding = toFinding(
    {
      id: `manual/${event.id}`,
      source: 'manual',
      type: MANUAL_REQUEST,
      status: 'ACTIVE',
      severity: 'MEDIUM',
      resource,
      observedAt: event.time,
      request: {
        ...(detail.controlId ? { controlId: detail.controlId } : {}),
        ...(detail.mode ? { mode: detail.mode } : {}),
        requestedBy: 'unproven',
        ...(detail.reason ? { reason: detail.reason } : {}),
        ...(detail.rollbackOf ? { rollbackOf: detail.rollbackOf } : {}),
        ...(detail.nonce ? { nonce: detail.nonce } : {}),
        ...(detail.identity ? { identity: detail.identity } : {}),
      },
      raw: { eventId: event.id, source: event.source, detailType: event['detail-type'] },
    },
    MANUAL_SOURCE,
  );
  return { kind: 'findings', findings: [finding] };
}

function resolveResource(detail: ManualRequest, event: EventBridgeEnvelope) {
  const fallback = { accountId: event.account, region: event.region };
  const derived = identifyResource(detail.resourceArn, fallback);
  if (derived.ok) {
    if (detail.resourceType && detail.resourceType !== derived.resource.type) {
      throw invalid(
        MANUAL_SOURCE,
        'detail.resourceType',
        `"${detail.resourceType}" contradicts detail.resourceArn, which names an ${derived.resource.type}`,
      );
    }
    return derived;
  }
  if (!derived.unsupported) return derived;
  // A well-formed ARN whose type the table does not know: the requester must say what it is.
  if (!detail.resourceType) {
    throw invalid(MANUAL_SOURCE, 'detail.resourceType', `required: the resource type cannot be derived from detail.resourceArn (${derived.problem})`);
  }
  const parsed = parseArn(detail.resourceArn);
  return {
    ok: true as const,
    resource: {
      arn: detail.resourceArn,
      type: detail.resourceType,
      accountId: parsed?.accountId || fallback.accountId,
      region: parsed?.region || fallback.region,
    },
  };
}
