/**
 * Which accounts Remediator changes: the rules file's `accounts` field.
 *
 *   accounts: all                      every account a finding names (through its member role)
 *   accounts: ["111111111111", …]      these member accounts
 *   accounts: { ous: [ou-…, r-…] }     the accounts under these OUs (needs the account's OU path)
 *
 * The deployment's own account is always acted on with its own credentials. Without
 * the field nothing else is (the behaviour before member accounts): a finding about
 * an account that is not opted in is notified, and the reason names the account.
 */
import * as z from 'zod';

const accountId = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits');
const ouId = z.string().regex(/^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/, 'an OU id looks like ou-ab12-cdefgh34 (or a root, r-ab12)');

export const AccountsSchema = z.union([
  z.literal('all'),
  z.array(accountId).min(1, 'list at least one account id, or leave accounts out to act on this deployment\'s account only'),
  z.object({ ous: z.array(ouId).min(1, 'list at least one OU id') }).strict(),
]);
export type AccountsOptIn = z.infer<typeof AccountsSchema>;

export interface OptInContext {
  /** The deployment's own account (null: unknown, and every finding is handled as its own, as before). */
  ownAccountId: string | null;
  /** The OU ids above an account, nearest first (for `accounts: { ous }`); undefined when not known. */
  ouPathOf?: (accountId: string) => readonly string[] | undefined;
}

/** Why Remediator must not change resources of this account (null: it may). */
export function whyNotOptedIn(accountId: string, accounts: AccountsOptIn | undefined, context: OptInContext): string | null {
  const own = context.ownAccountId;
  if (!own || accountId === own) return null;
  const notOurs = `${accountId} is not this deployment's account (${own})`;
  if (accounts === undefined) {
    return `${notOurs} and the rules file opts in no member accounts (accounts:): Remediator changes resources of its own account only`;
  }
  if (accounts === 'all') return null;
  if (Array.isArray(accounts)) {
    return accounts.includes(accountId) ? null : `${notOurs} and is not opted in (accounts: ${accounts.join(', ')})`;
  }
  const path = context.ouPathOf?.(accountId);
  if (!path) return `${notOurs}; the rules file opts in accounts by OU (${accounts.ous.join(', ')}) and the OU of ${accountId} is not known`;
  return path.some((ou) => accounts.ous.includes(ou)) ? null : `${notOurs} and is in none of the opted-in OUs (${accounts.ous.join(', ')})`;
}
