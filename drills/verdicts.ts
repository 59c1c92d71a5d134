/**
 * Shared judgements: which error names are Remediator's own (typed refusals),
 * which workflow states act on a resource, and whether a change record agrees
 * with the live bucket.
 */
import * as errors from '../lib/errors';
import { normalizeStoredBlock, type BucketState } from './harness';

/** Every error name lib/errors.ts defines (the ASL's vocabulary). */
export const REMEDIATOR_ERROR_NAMES: ReadonlySet<string> = new Set(
  (Object.values(errors) as unknown[])
    .filter((value): value is new (message: string) => Error => typeof value === 'function' && value.prototype instanceof Error)
    .map((Class) => new Class('probe').name),
);

/** States that read or change the resource, or ask a human to let them: a refused event never enters one. */
export const ACTING_STATES: ReadonlySet<string> = new Set(['Apply Corrective Control', 'Request Approval', 'Plan Corrective Control', 'Archive Finding', 'Roll Back Change']);

/** Decisions that lead to one of those states. */
export const ACTING_DECISIONS: ReadonlySet<string> = new Set(['REMEDIATE', 'APPROVE', 'DRY_RUN', 'ARCHIVE']);

const same = (a: unknown, b: unknown): boolean => (a ?? null) === (b ?? null);

/** The state a record says the bucket is in, by its status (null: the record cannot say). */
export function claimedState(record: Record<string, unknown>): { policy: unknown; publicAccessBlock: string | null; from: string }[] {
  const before = (record.before ?? {}) as Record<string, unknown>;
  const after = (record.after ?? {}) as Record<string, unknown>;
  const live = record.live as Record<string, unknown> | undefined;
  const asState = (s: Record<string, unknown>, from: string) => ({ policy: s.policy ?? null, publicAccessBlock: normalizeStoredBlock(s.publicAccessBlock), from });
  // A record that stored what it found after a failed write or restore is judged by that.
  if (live && typeof live === 'object') return [asState(live, 'live')];
  switch (record.status) {
    case 'APPLIED':
      return [asState(after, 'after')];
    case 'FAILED':
    case 'ROLLED_BACK':
    case 'PENDING':
      return [asState(before, 'before')];
    default:
      return [];
  }
}

/** Empty when the record's status and fields describe the live bucket; otherwise why not. */
export function disagreement(record: Record<string, unknown>, live: BucketState): string | null {
  const claims = claimedState(record);
  if (claims.length === 0) return `change record left in status ${String(record.status)} with no live state stored`;
  for (const claim of claims) {
    if (same(claim.policy, live.policy) && same(claim.publicAccessBlock, live.publicAccessBlock)) return null;
  }
  const claim = claims[0]!;
  const parts: string[] = [];
  if (!same(claim.policy, live.policy)) parts.push(`policy ${describePolicy(claim.policy)} in record.${claim.from}, ${describePolicy(live.policy)} live`);
  if (!same(claim.publicAccessBlock, live.publicAccessBlock)) {
    parts.push(`Block Public Access ${claim.publicAccessBlock ?? 'none'} in record.${claim.from}, ${live.publicAccessBlock ?? 'none'} live`);
  }
  return `record ${String(record.status)} disagrees with the bucket: ${parts.join('; ')}`;
}

export function describePolicy(policy: unknown): string {
  if (policy === null || policy === undefined) return '(none)';
  const text = String(policy);
  if (text.includes('"Deny"')) return '(deny-all)';
  const sid = /"Sid":"([^"]+)"/.exec(text)?.[1];
  return sid ? `(${sid})` : `(${text.length} chars)`;
}
