/**
 * The organization this deployment belongs to, read from AWS Organizations
 * (`DescribeOrganization`, then `ListAccounts` page by page) and kept for a
 * while: the zone of trust of `zoneOfTrust: organization` (lib/org/zone.ts).
 *
 * One read per expiry, shared by concurrent callers; a failed read is not kept
 * (the next call asks again) and never falls back to a stale organization:
 * an account that left the organization must not stay trusted because AWS
 * Organizations was briefly unreachable.
 *
 * `ListAccounts` answers only in the management account or a delegated
 * administrator of Organizations, which is where an organization analyzer runs.
 */
import { DescribeOrganizationCommand, ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AwsClients } from '../aws/clients';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { InvalidRulesError, RemediatorError } from '../errors';

export interface Organization {
  /** `o-…` */
  id: string;
  managementAccountId: string | null;
  /**
   * Every account ListAccounts returns, sorted. Suspended or closing accounts are members
   * until they leave, as `aws:PrincipalOrgID` and Access Analyzer's organization zone see them.
   */
  accountIds: string[];
  /** When it was read from AWS Organizations. */
  readAt: Date;
}

export interface OrganizationDirectoryOptions {
  /** How long a read is trusted (the rules file's `zoneOfTrust.cacheSeconds`). */
  ttlSeconds: number;
  /** The clock (tests inject one). */
  now?: () => Date;
}

/** ListAccounts' largest page. */
const PAGE_SIZE = 20;

/** The most pages of ListAccounts read (20 accounts a page: 20,000 accounts), so a looping token cannot spin forever. */
const MAX_PAGES = 1000;

export class OrganizationDirectory {
  private cached: Organization | undefined;
  private reading: Promise<Organization> | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly clients: AwsClients,
    private readonly options: OrganizationDirectoryOptions,
  ) {
    if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 0) {
      throw new InvalidRulesError(`the organization cache expiry must be a whole number of seconds ≥ 0, not ${String(options.ttlSeconds)}`, {
        context: { ttlSeconds: options.ttlSeconds },
      });
    }
    this.now = options.now ?? (() => new Date());
  }

  /** The organization, from the cache while it is fresh, else read again. */
  async get(): Promise<Organization> {
    if (this.cached && this.fresh(this.cached)) return this.cached;
    this.reading ??= readOrganization(this.clients, this.now).then(
      (organization) => {
        this.cached = organization;
        this.reading = undefined;
        return organization;
      },
      (error: unknown) => {
        this.reading = undefined;
        throw error;
      },
    );
    return this.reading;
  }

  /** Forget the cached organization: the next `get` reads it again. */
  invalidate(): void {
    this.cached = undefined;
  }

  private fresh(organization: Organization): boolean {
    return this.now().getTime() - organization.readAt.getTime() < this.options.ttlSeconds * 1000;
  }
}

/** Read the organization and all its accounts once, now. */
export async function readOrganization(clients: AwsClients, now: () => Date = () => new Date()): Promise<Organization> {
  const client = clients.get(OrganizationsClient);
  let id: string;
  let managementAccountId: string | null;
  try {
    const { Organization: described } = await client.send(new DescribeOrganizationCommand({}));
    if (!described?.Id) throw new RemediatorError('DescribeOrganization answered without an organization id');
    id = described.Id;
    managementAccountId = described.MasterAccountId ?? null;
  } catch (error) {
    if (awsErrorName(error) === 'AWSOrganizationsNotInUseException') {
      throw new InvalidRulesError(
        'zoneOfTrust is organization, but the account Remediator runs in is not a member of an AWS organization (AWSOrganizationsNotInUseException): use zoneOfTrust kind account, or deploy in the organization',
        { cause: error },
      );
    }
    throw toRemediatorError(error, 'reading the organization (organizations:DescribeOrganization)');
  }

  const accountIds = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  try {
    do {
      const page = await client.send(new ListAccountsCommand({ MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) }));
      for (const account of page.Accounts ?? []) if (account.Id) accountIds.add(account.Id);
      token = page.NextToken;
      pages += 1;
    } while (token && pages < MAX_PAGES);
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'AccessDeniedException' || name === 'AWSOrganizationsNotInUseException') {
      throw new RemediatorError(
        `listing the accounts of organization ${id} (organizations:ListAccounts): ${name}: only the management account or a delegated administrator of AWS Organizations may list them; deploy Remediator there, or list the accounts in zoneOfTrust.organizationAccountIds with kind account`,
        { cause: error, context: { organizationId: id, awsError: name } },
      );
    }
    throw toRemediatorError(error, `listing the accounts of organization ${id} (organizations:ListAccounts)`, { organizationId: id });
  }
  if (token) {
    throw new RemediatorError(`listing the accounts of organization ${id}: still more after ${MAX_PAGES} pages; refusing a partial member list`, {
      context: { organizationId: id },
    });
  }
  return { id, managementAccountId, accountIds: [...accountIds].sort(), readAt: now() };
}

/** IAM actions this module calls (declared for the functions that build an organization zone). */
export const ORGANIZATION_PERMISSIONS = ['organizations:DescribeOrganization', 'organizations:ListAccounts'] as const;
