/**
 * Exceptions of the rules file: accepted risks with an owner, a reason and an expiry.
 * The first exception whose filter matches and that has not expired applies; a matching
 * exception that has expired is reported, so that the decision can name the expiry.
 */
import type { Finding } from '../finding';
import { filterMatches } from './match';
import type { ExceptionTagSettings, RuleException } from './schema';

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

/** A date (`2027-03-31`) or a date-time with offset, as in the rules file. */
const EXPIRY = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Exceptions carried by the resource's own tags (`remediator:exception=<ticket>`), as rules-file
 * exceptions for this resource, so that `exceptionFor` treats both alike (an expired one is named).
 * They count only when the rules file allows them (`exceptionTags.allow`), and only with an owner
 * and an expiry no more than `maxDays` ahead; anything else is refused with the reason, for the
 * notification, and excepts nothing.
 */
export function exceptionsFromTags(
  resourceArn: string,
  tags: Readonly<Record<string, string>>,
  settings: ExceptionTagSettings,
  now: Date,
): { exceptions: RuleException[]; refused: string[] } {
  const ticket = tags[settings.key]?.trim();
  if (!ticket) return { exceptions: [], refused: [] };
  const named = `tag ${settings.key}=${ticket}`;
  if (!settings.allow) return { exceptions: [], refused: [`${named} is not an exception: the rules file does not allow exceptions by tag (exceptionTags.allow)`] };
  const owner = tags[settings.ownerKey]?.trim();
  const expires = tags[settings.expiresKey]?.trim();
  if (!owner) return { exceptions: [], refused: [`${named} is not an exception: no owner (tag ${settings.ownerKey})`] };
  if (!expires || !EXPIRY.test(expires) || Number.isNaN(expiresAt(expires).getTime())) {
    return { exceptions: [], refused: [`${named} is not an exception: no valid expiry (tag ${settings.expiresKey}=${expires ?? ''}; a date such as 2027-03-31)`] };
  }
  const latest = now.getTime() + settings.maxDays * 86_400_000;
  if (expiresAt(expires).getTime() > latest) {
    return { exceptions: [], refused: [`${named} is not an exception: its expiry ${expires} is more than ${settings.maxDays} days away (exceptionTags.maxDays)`] };
  }
  return {
    exceptions: [{ id: tagExceptionId(ticket), match: { 'resource.arn': { eq: [resourceArn] } }, owner, reason: `resource ${named}`, expires }],
    refused: [],
  };
}

/** A kebab-case id from a ticket (`SEC-1234` → `tag-sec-1234`). */
function tagExceptionId(ticket: string): string {
  const slug = ticket.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return `tag-${slug || 'ticket'}`;
}

/**
 * The line a notification carries when a matching exception has expired (and none still applies):
 * which one, whose, and when it expired. Null when there is nothing to say.
 */
export function expiredExceptionNote(finding: Finding, exceptions: readonly RuleException[], now: Date): string | null {
  const { active, expired } = exceptionFor(finding, exceptions, now);
  if (active || !expired) return null;
  return `Exception ${expired.label} (owner ${expired.entry.owner}: ${expired.entry.reason}) expired on ${expired.entry.expires} and no longer applies.`;
}
