/**
 * The OUs above an account, nearest first, ending at the root (`[ou-…, ou-…, r-…]`), for
 * `accounts: { ous: [...] }` in the rules file: Organizations `ListParents`, one level at a time.
 * Read with the deployment's own clients (the management or delegated-admin account), cached per
 * container for `ttlSeconds`; a failed read is not cached.
 */
import { ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AwsClients } from '../aws/clients';

/** No organization nests OUs deeper than 5 levels under its root. */
const MAX_DEPTH = 6;

export async function readOuPath(accountId: string, clients: AwsClients): Promise<string[]> {
  const organizations = clients.get(OrganizationsClient);
  const path: string[] = [];
  let child = accountId;
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    const parent = (await organizations.send(new ListParentsCommand({ ChildId: child }))).Parents?.[0];
    if (!parent?.Id) break;
    path.push(parent.Id);
    if (parent.Type === 'ROOT') break;
    child = parent.Id;
  }
  return path;
}

export class OuPaths {
  private readonly cache = new Map<string, { path: string[]; at: number }>();

  constructor(
    private readonly clients: AwsClients,
    private readonly ttlSeconds = 900,
    private readonly now: () => number = Date.now,
  ) {}

  async of(accountId: string): Promise<string[]> {
    const cached = this.cache.get(accountId);
    if (cached && this.now() - cached.at < this.ttlSeconds * 1000) return cached.path;
    const path = await readOuPath(accountId, this.clients);
    this.cache.set(accountId, { path, at: this.now() });
    return path;
  }
}
