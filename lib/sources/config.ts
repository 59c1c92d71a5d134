/**
 * AWS Config (`aws.config`, `Config Rules Compliance Change`), on every resource type Config evaluates.
 * NON_COMPLIANT acts (status ACTIVE); COMPLIANT closes an open remediation (status RESOLVED,
 * same finding id); NOT_APPLICABLE and INSUFFICIENT_DATA are ignored on purpose. A resource of a
 * type no control handles, or one Config names only by an id (the account itself, an IAM user by
 * its unique id, a log group by name), is still a finding — triage turns it into NOTIFY naming
 * the rule and the resource as Config gave it. Every other Config detail-type (configuration item
 * changes, oversized items, delivery status) is ignored on purpose.
 * The finding type is the managed rule's identifier: a conformance pack deploys
 * `s3-bucket-public-read-prohibited` as `s3-bucket-public-read-prohibited-conformance-pack-abcd1234`,
 * and both map to the same control.
 */
import * as z from 'zod';
import type { Finding } from '../finding';
import { accountIdSchema, invalid, parseField, regionSchema, requireResource, timestampSchema, toFinding } from './common';
import { type ArnResult, parseArn, resourceFromId, SUPPORTED_RESOURCE_TYPES } from './resource-arn';
import type { EventBridgeEnvelope, NormalizeOptions, NormalizeResult } from './types';

const SOURCE = 'aws.config';

const timestamp = timestampSchema;

const DetailSchema = z.object({
  resourceId: z.string().min(1).max(1024),
  resourceType: z.string().min(1).max(256).optional(),
  awsRegion: regionSchema,
  awsAccountId: accountIdSchema,
  configRuleName: z.string().min(1).max(256),
  configRuleARN: z.string().max(2048).optional(),
  messageType: z.string().min(1).max(128),
  notificationCreationTime: timestamp.optional(),
  newEvaluationResult: z.object({
    complianceType: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']),
    resultRecordedTime: timestamp.optional(),
    configRuleInvokedTime: timestamp.optional(),
    annotation: z.string().nullable().optional(),
    evaluationResultIdentifier: z
      .object({
        evaluationResultQualifier: z
          .object({ resourceType: z.string().min(1).max(256).optional(), resourceId: z.string().optional() })
          .optional(),
        orderingTimestamp: timestamp.optional(),
      })
      .optional(),
  }),
});

const STATUS_BY_COMPLIANCE = new Map<string, Finding['status']>([
  ['NON_COMPLIANT', 'ACTIVE'],
  ['COMPLIANT', 'RESOLVED'],
]);

/** A conformance pack appends `-conformance-pack-<random>` to the rule names it deploys. */
const CONFORMANCE_PACK_SUFFIX = /-conformance-pack-[a-z0-9]+$/;

/** The managed rule identifier behind a deployed rule name (kept as issued when there is no suffix). */
export function managedRuleId(configRuleName: string): string {
  return configRuleName.replace(CONFORMANCE_PACK_SUFFIX, '');
}

/** Rules whose failure is public or cross-account exposure; every other rule is MEDIUM. */
const SEVERITY_BY_RULE = new Map<string, Finding['severity']>([
  ['s3-bucket-public-read-prohibited', 'CRITICAL'],
  ['s3-bucket-public-write-prohibited', 'CRITICAL'],
  ['s3-bucket-level-public-access-prohibited', 'HIGH'],
  ['s3-account-level-public-access-blocks', 'HIGH'],
  ['s3-account-level-public-access-blocks-periodic', 'HIGH'],
  ['lambda-function-public-access-prohibited', 'CRITICAL'],
  ['ebs-snapshot-public-restorable-check', 'CRITICAL'],
  ['rds-snapshots-public-prohibited', 'CRITICAL'],
  ['sns-topic-policy-public-access-check', 'HIGH'],
  ['sqs-queue-policy-public-access-check', 'HIGH'],
  ['kms-key-policy-no-public-access', 'HIGH'],
  ['secretsmanager-secret-resource-policy-public-access-check', 'HIGH'],
  ['ecr-repository-policy-public-access-check', 'HIGH'],
]);

/** The severity of a failed managed rule: exposure rules are HIGH or CRITICAL, every other rule MEDIUM. */
export function configRuleSeverity(ruleId: string): Finding['severity'] {
  return SEVERITY_BY_RULE.get(ruleId) ?? 'MEDIUM';
}

export function normalizeConfigComplianceChange(event: EventBridgeEnvelope, options: NormalizeOptions): NormalizeResult {
  const detail = parseField(DetailSchema, event.detail, SOURCE, 'detail');
  if (detail.messageType !== 'ComplianceChangeNotification') {
    return { kind: 'ignored', reason: `${SOURCE} message type "${detail.messageType}" is not a compliance change` };
  }
  const result = detail.newEvaluationResult;
  const status = STATUS_BY_COMPLIANCE.get(result.complianceType);
  if (!status) {
    return {
      kind: 'ignored',
      reason: `${detail.configRuleName} is ${result.complianceType} for ${detail.resourceId}: nothing to act on`,
    };
  }
  const resourceType = detail.resourceType ?? result.evaluationResultIdentifier?.evaluationResultQualifier?.resourceType;
  if (!resourceType) {
    throw invalid(SOURCE, 'detail.resourceType', 'missing, and newEvaluationResult names no resource type either');
  }
  const resource = requireResource(
    configResource(resourceType, detail.resourceId, { accountId: detail.awsAccountId, region: detail.awsRegion }),
    SOURCE,
    'detail.resourceId',
    options,
  );
  const ruleId = managedRuleId(detail.configRuleName);
  const finding = toFinding(
    {
      id: `config/${detail.awsAccountId}/${detail.awsRegion}/${detail.configRuleName}/${resourceType}/${detail.resourceId}`,
      source: 'config',
      type: ruleId,
      status,
      severity: configRuleSeverity(ruleId),
      resource,
      labels: {
        configRuleName: detail.configRuleName,
        ...(result.annotation ? { annotation: result.annotation.slice(0, 1024) } : {}),
      },
      observedAt:
        result.resultRecordedTime ??
        result.evaluationResultIdentifier?.orderingTimestamp ??
        detail.notificationCreationTime ??
        event.time,
      raw: { eventId: event.id, source: event.source, detailType: event['detail-type'] },
    },
    SOURCE,
  );
  return { kind: 'findings', findings: [finding] };
}

/**
 * The resource as Config names it: the ARN when one can be built or is given, else the id as
 * Config gave it (`idOnly`). Only an ARN that breaks the rules of its own type (an S3 bucket
 * ARN with a region) is an error: anything else Config evaluates is at least worth a notification.
 */
function configResource(type: string, id: string, where: { accountId: string; region: string }): ArnResult {
  if (SUPPORTED_RESOURCE_TYPES.includes(type)) {
    const named = resourceFromId(type, id, where);
    if (named.ok || id.startsWith('arn:')) return named;
  } else {
    const parsed = parseArn(id);
    if (parsed) return { ok: true, resource: { arn: id, type, accountId: parsed.accountId || where.accountId, region: parsed.region || where.region } };
  }
  return { ok: true, resource: { arn: id, type, accountId: where.accountId, region: where.region, idOnly: true } };
}

/** Configuration item changes, oversized items, delivery and evaluation status: recognised, not acted on. */
export function ignoreOtherConfigEvent(event: EventBridgeEnvelope): NormalizeResult {
  return { kind: 'ignored', reason: `${SOURCE} "${event['detail-type']}" events are not compliance changes Remediator acts on` };
}
