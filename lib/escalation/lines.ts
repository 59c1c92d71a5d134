/** Lines of "who could reach it" and "who loses access" shown before "… N more". */
export const LIST_LINES = 15;

/** At most `max` lines, the last one saying how many were left out. */
export function capLines(lines: readonly string[], max: number = LIST_LINES): string[] {
  return lines.length <= max ? [...lines] : [...lines.slice(0, max - 1), `… ${lines.length - (max - 1)} more`];
}
