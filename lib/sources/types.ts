import type { Finding } from '../finding';

/** What a normalizer makes of one event: findings to act on, or a deliberate no. */
export type NormalizeResult =
  | { kind: 'findings'; findings: Finding[] }
  | { kind: 'ignored'; reason: string };

export type Normalizer = (event: EventBridgeEnvelope) => NormalizeResult;

export interface EventBridgeEnvelope {
  id: string;
  source: string;
  'detail-type': string;
  account: string;
  region: string;
  time: string;
  resources?: string[];
  detail: Record<string, unknown>;
}
