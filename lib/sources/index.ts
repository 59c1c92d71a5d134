/**
 * Event normalization: one normalizer per source, chosen from a table keyed
 * by `source` + `detail-type` (no if/else ladders). Every normalizer returns
 * zod-validated Findings or a deliberate "ignored"; anything else throws
 * UnsupportedEventError or InvalidEventError.
 */
import { UnsupportedEventError } from '../errors';
import { normalizeAccessAnalyzerFinding } from './access-analyzer';
import { parseEnvelope } from './envelope';
import type { NormalizeResult, Normalizer } from './types';

export type { NormalizeResult, Normalizer, EventBridgeEnvelope } from './types';

const key = (source: string, detailType: string): string => `${source}|${detailType}`;

export const NORMALIZERS: ReadonlyMap<string, Normalizer> = new Map<string, Normalizer>([
  [key('aws.access-analyzer', 'Access Analyzer Finding'), normalizeAccessAnalyzerFinding],
]);

export function normalizeEvent(input: unknown): NormalizeResult {
  const event = parseEnvelope(input);
  const normalizer = NORMALIZERS.get(key(event.source, event['detail-type']));
  if (!normalizer) {
    throw new UnsupportedEventError(`no normalizer for source "${event.source}" with detail-type "${event['detail-type']}"`, {
      context: { source: event.source, detailType: event['detail-type'] },
    });
  }
  return normalizer(event);
}
