/**
 * Comparing resource states (ResourceState: field → exact text or null).
 * Services hand back JSON with their own spacing and key order (S3 and IAM
 * re-serialise policies), so two states are the same when every field holds
 * the same JSON value — or the same text, for fields that are not JSON.
 */
import type { ResourceState } from './types';

export function sameState(a: ResourceState, b: ResourceState): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (!sameField(a[key] ?? null, b[key] ?? null)) return false;
  }
  return true;
}

function sameField(a: string | null, b: string | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const left = parse(a);
  const right = parse(b);
  return left.ok && right.ok && canonical(left.value) === canonical(right.value);
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** JSON with object keys sorted (array order is kept: it matters in policies and ACLs). */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
