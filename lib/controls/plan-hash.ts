/**
 * The identity of a planned change: sha256 over the canonical JSON (keys sorted
 * at every level, no whitespace) of what it changes and how. Two plans with the
 * same hash write the same thing to the same resource, so an approval can carry
 * the hash of what the approver saw and Apply can refuse anything else.
 */
import { createHash } from 'node:crypto';
import type { ResourceState } from './types';

export interface PlanIdentity {
  controlId: string;
  resourceArn: string;
  before: ResourceState;
  after: ResourceState;
}

export function planHash(plan: PlanIdentity): string {
  const { controlId, resourceArn, before, after } = plan;
  return createHash('sha256').update(canonicalJson({ controlId, resourceArn, before, after })).digest('hex');
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
