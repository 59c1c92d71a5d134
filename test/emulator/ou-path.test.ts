/**
 * `accounts: { ous }` needs an account's OUs: read from the emulator's Organizations with
 * ListParents, nearest first up to the root, and cached per container.
 */
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreateOrganizationalUnitCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { OuPaths, readOuPath } from '../../lib/org/ou-path';
import { useLocalStack } from '../support/emulator';
import { freshAccount, organizationsClientsIn } from '../support/organizations';

const stack = useLocalStack();

describe("an account's OU path", () => {
  it('is the nested OUs nearest first, then the root; cached until the expiry', async () => {
    const clients = organizationsClientsIn(stack, freshAccount());
    const organizations = clients.get(OrganizationsClient);
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const root = (await organizations.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    const workloads = (await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'workloads' }))).OrganizationalUnit!.Id!;
    const prod = (await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: workloads, Name: 'prod' }))).OrganizationalUnit!.Id!;
    const created = await organizations.send(new CreateAccountCommand({ AccountName: 'shop', Email: `shop-${Date.now()}@example.com` }));
    const account = created.CreateAccountStatus!.AccountId!;
    await organizations.send(new MoveAccountCommand({ AccountId: account, SourceParentId: root, DestinationParentId: prod }));
    const loose = (await organizations.send(new CreateAccountCommand({ AccountName: 'sandbox', Email: `sandbox-${Date.now()}@example.com` }))).CreateAccountStatus!.AccountId!;

    expect(await readOuPath(account, clients)).toEqual([prod, workloads, root]);
    expect(await readOuPath(loose, clients)).toEqual([root]);

    let now = 0;
    const paths = new OuPaths(clients, 900, () => now);
    clients.calls.length = 0;
    await paths.of(account);
    await paths.of(account);
    expect(clients.calls.filter((c) => c === 'ListParentsCommand')).toHaveLength(3);
    now = 900_000;
    await paths.of(account);
    expect(clients.calls.filter((c) => c === 'ListParentsCommand')).toHaveLength(6);
  });
});
