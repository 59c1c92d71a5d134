/**
 * Exceptions of the rules file: accepted risks with an owner, a reason and an expiry.
 * The first exception whose filter matches and that has not expired applies; a matching
 * exception that has expired is reported, so that the decision can name the expiry.
 */
import type { Finding } from '../finding';
import { filterMatches } from './match';
import type { RuleException } from './schema';

export interface ExceptionMatch {
  entry: RuleException;
  /** `exception:<id>`, or `exception:<index>` for an exception without an id. */
  label: string;
}

/** When an exception stops applying: a date-only expiry covers that whole day (UTC). */
export function expiresAt(expires: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(expires) ? new Date(`${expires}T23:59:59.999Z`) : new Date(expires);
}

export function exceptionFor(
  finding: Finding,
  exceptions: readonly RuleException[],
  now: Date,
): { active?: ExceptionMatch; expired?: ExceptionMatch } {
  let expired: ExceptionMatch | undefined;
  for (const [index, entry] of exceptions.entries()) {
    if (!filterMatches(entry.match, finding)) continue;
    const match = { entry, label: `exception:${entry.id ?? index}` };
    if (expiresAt(entry.expires).getTime() >= now.getTime()) return { active: match };
    expired ??= match;
  }
  return expired ? { expired } : {};
}
