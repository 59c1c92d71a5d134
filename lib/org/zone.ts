/**
 * The zone of trust a decision or a control works with, for either kind of
 * `zoneOfTrust` in the rules file:
 * - `account` (the default): exactly what lib/rules/triage.ts `zoneFor` builds from the file;
 * - `organization`: the same, plus the organization id and member accounts that AWS
 *   Organizations answers (lib/org/organization.ts, cached), so that the policy analyzer
 *   judges `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:ResourceOrgID` and grants to
 *   member accounts against the real organization, not a hand-typed list.
 *
 * Organizations is read with the deployment's own clients (the management or delegated-admin
 * account), never with a member account's role.
 */
import type { AwsClients } from '../aws/clients';
import { InvalidRulesError } from '../errors';
import type { Finding } from '../finding';
import type { ZoneOfTrust } from '../policy';
import { zoneFor } from '../rules/triage';
import type { RulesFile } from '../rules/schema';
import { type Organization, OrganizationDirectory } from './organization';

/** Something that knows the organization (an OrganizationDirectory, or a stand-in in tests). */
export interface OrganizationSource {
  get(): Promise<Organization>;
}

/** The zone of trust for this finding under these rules. Reads the organization only for kind organization. */
export async function zoneOfTrustFor(finding: Finding, rules: RulesFile, organization: OrganizationSource | (() => OrganizationSource)): Promise<ZoneOfTrust> {
  const base = zoneFor(finding, rules);
  const settings = rules.zoneOfTrust;
  if (settings.kind !== 'organization') return base;
  const source = typeof organization === 'function' ? organization() : organization;
  const org = await source.get();
  return organizationZone(base, settings, org);
}

/** Pure: the account zone widened to the organization Organizations answered. */
export function organizationZone(
  base: ZoneOfTrust,
  settings: Pick<RulesFile['zoneOfTrust'], 'organizationId' | 'organizationAccountIds'>,
  org: Pick<Organization, 'id' | 'accountIds'>,
): ZoneOfTrust {
  if (settings.organizationId && settings.organizationId !== org.id) {
    throw new InvalidRulesError(
      `zoneOfTrust.organizationId is ${settings.organizationId}, but AWS Organizations says this deployment belongs to ${org.id}: correct the rules file (or leave organizationId out with kind organization)`,
      { context: { configured: settings.organizationId, actual: org.id } },
    );
  }
  const members = [...new Set([...org.accountIds, ...settings.organizationAccountIds])].sort();
  return { accountIds: base.accountIds, organizationId: org.id, organizationAccountIds: members };
}

const directories = new WeakMap<AwsClients, OrganizationDirectory>();

/**
 * The organization directory of this container for these (the deployment's own) clients,
 * with the rules file's expiry: one Organizations read per expiry, whatever the number of findings.
 */
export function organizationDirectory(clients: AwsClients, rules: Pick<RulesFile, 'zoneOfTrust'>, now?: () => Date): OrganizationDirectory {
  let directory = directories.get(clients);
  if (!directory) {
    directory = new OrganizationDirectory(clients, { ttlSeconds: rules.zoneOfTrust.cacheSeconds, ...(now ? { now } : {}) });
    directories.set(clients, directory);
  }
  return directory;
}

/**
 * The zone for a task that has the deployment's clients: for kind organization, through this
 * container's cached directory. This is the one call the zone's builder (lib/workflow/context.ts)
 * needs: `zone: await zoneOfTrustWith(finding, rules, deploymentClients)`.
 */
export function zoneOfTrustWith(finding: Finding, rules: RulesFile, clients: AwsClients): Promise<ZoneOfTrust> {
  return zoneOfTrustFor(finding, rules, () => organizationDirectory(clients, rules));
}
