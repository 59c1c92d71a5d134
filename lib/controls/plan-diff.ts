/**
 * A plan as a person reads it: one unified diff per field the change touches
 * (a policy pretty-printed, so that the diff shows statements, not one long line).
 */
import { createTwoFilesPatch } from 'diff';
import type { ResourceState } from './types';

/** A field's value as lines: JSON pretty-printed with two spaces, anything else as is; a missing value is empty. */
export function readable(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  try {
    return `${JSON.stringify(JSON.parse(value), null, 2)}\n`;
  } catch {
    return value.endsWith('\n') ? value : `${value}\n`;
  }
}

/** The fields whose value differs between `before` and `after`, sorted. */
export function changedFields(before: ResourceState, after: ResourceState): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().filter((field) => (before[field] ?? null) !== (after[field] ?? null));
}

/**
 * The unified diff of `before` → `after`, field by field (`--- policy (before)` / `+++ policy (after)`),
 * three lines of context. Empty when nothing changes. A field absent on one side is `(none)`.
 */
export function planDiff(before: ResourceState, after: ResourceState, options: { context?: number } = {}): string {
  return changedFields(before, after)
    .map((field) => {
      const label = (side: 'before' | 'after', value: string | null | undefined) => `${field} (${side}${value === null || value === undefined ? ': none' : ''})`;
      const patch = createTwoFilesPatch(label('before', before[field]), label('after', after[field]), readable(before[field]), readable(after[field]), undefined, undefined, {
        context: options.context ?? 3,
      });
      // Drop jsdiff's "Index"/"====" preamble and the empty tab-separated headers it writes.
      return patch
        .split('\n')
        .filter((line) => !line.startsWith('===') && !line.startsWith('Index:'))
        .map((line) => (line.startsWith('--- ') || line.startsWith('+++ ') ? line.replace(/\t$/, '') : line))
        .join('\n')
        .trimEnd();
    })
    .join('\n');
}

/** The diff cut to at most `maxLines` lines, saying how many were left out (for chat messages). */
export function truncateDiff(diff: string, maxLines: number): { text: string; truncated: boolean; omitted: number } {
  const lines = diff.split('\n');
  if (lines.length <= maxLines) return { text: diff, truncated: false, omitted: 0 };
  return { text: `${lines.slice(0, maxLines).join('\n')}\n… ${lines.length - maxLines} more lines`, truncated: true, omitted: lines.length - maxLines };
}
