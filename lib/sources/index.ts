/**
 * Event normalization: one normalizer per source, chosen from a table keyed
 * by `source` + `detail-type` (no if/else ladders). Every normalizer returns
 * zod-validated Findings or a deliberate "ignored"; anything else throws
 * UnsupportedEventError or InvalidEventError, whose message names the source and the field.
 */
import { UnsupportedEventError } from '../errors';
import { ignoreOtherAccessAnalyzerEvent, normalizeAccessAnalyzerFinding, normalizeUnusedAccessFinding } from './access-analyzer';
import { ignoreOtherConfigEvent, normalizeConfigComplianceChange } from './config';
import { parseEnvelope } from './envelope';
import { normalizeGuardDutyFinding } from './guardduty';
import { MANUAL_DETAIL_TYPE, MANUAL_SOURCE, normalizeManualRequest } from './manual';
import { normalizeSecurityHubFindings, splitSecurityHubEvent } from './security-hub';
import type { NormalizeOptions, NormalizeResult, Normalizer } from './types';

export type {
  EventBridgeEnvelope,
  IgnoredFinding,
  NormalizeOptions,
  NormalizeResult,
  Normalizer,
  RejectedFinding,
} from './types';
export {
  ACCESS_ANALYZER_RESOURCE_TYPES,
  EXTERNAL_ACCESS,
  NOTIFY_ONLY_FINDING_TYPES,
  UNUSED_ACCESS,
  isNotifyOnlyFinding,
} from './access-analyzer';
export { managedRuleId } from './config';
export { GLOBAL_IAM_TYPES, isGlobalIamType, isIamFindingHandledHere, whyNotHandledHere, type IamReporter } from './home-region';
export { parseResourceArn, type ResourceArn } from './resource-arn';
export { GUARDDUTY_RESOURCE_TYPES } from './guardduty';
export { MANUAL_DETAIL_TYPE, MANUAL_REQUEST, MANUAL_SOURCE, ManualRequestSchema, type ManualRequest } from './manual';
export { SECURITY_HUB_PRODUCTS } from './security-hub';
export { MAX_EVENT_BYTES, parseEnvelope } from './envelope';

/** Any detail-type of a source: used for sources whose other events are ignored on purpose. */
const ANY_DETAIL_TYPE = '*';

const key = (source: string, detailType: string): string => `${source}|${detailType}`;

export const NORMALIZERS: ReadonlyMap<string, Normalizer> = new Map<string, Normalizer>([
  [key('aws.access-analyzer', 'Access Analyzer Finding'), normalizeAccessAnalyzerFinding],
  [key('aws.access-analyzer', 'Unused Access Finding for IAM entities'), normalizeUnusedAccessFinding],
  [key('aws.access-analyzer', ANY_DETAIL_TYPE), ignoreOtherAccessAnalyzerEvent],
  [key('aws.securityhub', 'Security Hub Findings - Imported'), normalizeSecurityHubFindings],
  [key('aws.config', 'Config Rules Compliance Change'), normalizeConfigComplianceChange],
  [key('aws.config', ANY_DETAIL_TYPE), ignoreOtherConfigEvent],
  [key('aws.guardduty', 'GuardDuty Finding'), normalizeGuardDutyFinding],
  [key(MANUAL_SOURCE, MANUAL_DETAIL_TYPE), normalizeManualRequest],
]);

/**
 * Normalizes one event (an object, or its JSON text) for the deployment that `options`
 * describes (passed explicitly: nothing is read from the environment). Throws only
 * InvalidEventError (not JSON, too big, missing or mistyped field, malformed ARN) and
 * UnsupportedEventError (unknown source, detail-type or resource type; a resource in another partition).
 */
export function normalizeEvent(input: unknown, options: NormalizeOptions): NormalizeResult {
  const event = parseEnvelope(input);
  const normalizer = NORMALIZERS.get(key(event.source, event['detail-type'])) ?? NORMALIZERS.get(key(event.source, ANY_DETAIL_TYPE));
  if (!normalizer) {
    throw new UnsupportedEventError(`${event.source} event: no normalizer for source "${event.source}" with detail-type "${event['detail-type']}"`, {
      context: { source: event.source, detailType: event['detail-type'] },
    });
  }
  return normalizer(event, options);
}

/**
 * Splits an event into the events a workflow can classify one by one: a Security Hub
 * event with N findings becomes N single-finding events (same envelope); any other event
 * comes back alone. Throws InvalidEventError for what is not an EventBridge event.
 */
export function splitEvent(input: unknown): unknown[] {
  const event = parseEnvelope(input);
  return event.source === 'aws.securityhub' ? splitSecurityHubEvent(event) : [event];
}
