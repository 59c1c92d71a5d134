/**
 * The organization as zone of trust, read from the emulator's AWS Organizations: the organization id
 * and every member account (ListAccounts, page by page), cached until the expiry (the clock is injected),
 * and fed to the policy analyzer, which then trusts a member account and still flags an outside one.
 *
 * Each test acts in an account of its own (moto keys every call to an account; the `x-moto-account-id`
 * header picks it), so the organizations created here never meet another test's.
 */
import { CreateAccountCommand, CreateOrganizationCommand, DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../lib/aws/clients';
import { InvalidRulesError } from '../../lib/errors';
import { FindingSchema, type Finding } from '../../lib/finding';
import { OrganizationDirectory } from '../../lib/org/organization';
import { organizationDirectory, zoneOfTrustFor, zoneOfTrustWith } from '../../lib/org/zone';
import { analyzePolicy } from '../../lib/policy';
import { parseRules } from '../../lib/rules/load';
import { useLocalStack } from '../support/emulator';
import { freshAccount, organizationsClientsIn } from '../support/organizations';

const stack = useLocalStack();
const shipped = readFileSync('remediator.rules.yaml', 'utf8');
const OUTSIDE = '444455556666';

async function organizationWith(clients: AwsClients, members: number): Promise<{ id: string; memberIds: string[] }> {
  const organizations = clients.get(OrganizationsClient);
  const created = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const memberIds: string[] = [];
  for (let i = 0; i < members; i++) memberIds.push(await createAccount(clients, `member-${i}`));
  return { id: created.Organization!.Id!, memberIds };
}

async function createAccount(clients: AwsClients, name: string): Promise<string> {
  const status = await clients.get(OrganizationsClient).send(new CreateAccountCommand({ AccountName: name, Email: `${name}-${Date.now()}@example.com` }));
  return status.CreateAccountStatus!.AccountId!;
}

function bucketFinding(accountId: string): Finding {
  return FindingSchema.parse({
    id: `org-${accountId}`,
    source: 'access-analyzer',
    type: 'ExternalAccess',
    status: 'ACTIVE',
    severity: 'HIGH',
    resource: { arn: 'arn:aws:s3:::org-shared-data', type: 'AWS::S3::Bucket', accountId, region: stack.region },
    observedAt: new Date().toISOString(),
    raw: { eventId: 'e', source: 'aws.access-analyzer' },
  });
}

const grantTo = (account: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Read', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::org-shared-data/*' }],
  });

const withZone = (zone: string) => parseRules(shipped.replace(/zoneOfTrust:\n(?: {2}.*\n|\n)*/, `zoneOfTrust:\n${zone}\n`));

describe('zoneOfTrust organization, from the emulator’s AWS Organizations', () => {
  it('reads the organization id and every member account, across ListAccounts pages', async () => {
    const admin = freshAccount();
    const clients = organizationsClientsIn(stack, admin);
    const { id, memberIds } = await organizationWith(clients, 24);
    clients.calls.length = 0;

    const organization = await new OrganizationDirectory(clients, { ttlSeconds: 900 }).get();

    const described = await clients.get(OrganizationsClient).send(new DescribeOrganizationCommand({}));
    expect(organization.id).toBe(id);
    expect(organization.managementAccountId).toBe(described.Organization!.MasterAccountId);
    // 24 members and the management account: two pages of 20.
    expect(clients.calls).toEqual(['DescribeOrganizationCommand', 'ListAccountsCommand', 'ListAccountsCommand', 'DescribeOrganizationCommand']);
    expect(organization.accountIds).toHaveLength(25);
    expect(organization.accountIds).toEqual([...memberIds, described.Organization!.MasterAccountId!].sort());
  });

  it('answers from the cache until the expiry, then reads Organizations again', async () => {
    const clients = organizationsClientsIn(stack, freshAccount());
    await organizationWith(clients, 1);
    let now = new Date('2026-12-03T07:00:00Z');
    const directory = new OrganizationDirectory(clients, { ttlSeconds: 900, now: () => now });
    const first = await directory.get();
    clients.calls.length = 0;

    const joined = await createAccount(clients, 'late-joiner');
    now = new Date('2026-12-03T07:14:59Z');
    const cached = await directory.get();
    expect(cached).toBe(first);
    expect(cached.accountIds).not.toContain(joined);
    expect(clients.calls).toEqual(['CreateAccountCommand']);

    now = new Date('2026-12-03T07:15:00Z');
    const reread = await directory.get();
    expect(reread.accountIds).toContain(joined);
    expect(reread.readAt).toEqual(now);
  });

  it('trusts a member account and still flags an outside account, where the account zone flags both', async () => {
    const admin = freshAccount();
    const clients = organizationsClientsIn(stack, admin);
    const { id, memberIds } = await organizationWith(clients, 2);
    const member = memberIds[0]!;
    const finding = bucketFinding(admin);
    const orgRules = withZone('  kind: organization');
    const directory = organizationDirectory(clients, orgRules);

    const zone = await zoneOfTrustFor(finding, orgRules, directory);
    expect(zone).toMatchObject({ accountIds: [admin], organizationId: id });
    expect(zone.organizationAccountIds).toContain(member);
    // The per-container directory of these clients is the one zoneOfTrustWith uses: no second read.
    const reads = clients.calls.filter((call) => call === 'DescribeOrganizationCommand').length;
    expect(await zoneOfTrustWith(finding, orgRules, clients)).toEqual(zone);
    expect(clients.calls.filter((call) => call === 'DescribeOrganizationCommand')).toHaveLength(reads);

    const memberGrant = analyzePolicy(grantTo(member), zone, { kind: 's3' });
    expect(memberGrant.exposed).toBe(false);
    const outsideGrant = analyzePolicy(grantTo(OUTSIDE), zone, { kind: 's3' });
    expect(outsideGrant.exposed).toBe(true);
    expect(outsideGrant.externalAccounts).toEqual([OUTSIDE]);

    // aws:PrincipalOrgID with the organization's real id narrows a public grant to the zone.
    const orgCondition = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::org-shared-data/*', Condition: { StringEquals: { 'aws:PrincipalOrgID': id } } }],
    });
    expect(analyzePolicy(orgCondition, zone, { kind: 's3' }).exposed).toBe(false);

    // The default account zone never reads Organizations and flags the member account.
    const accountZone = await zoneOfTrustFor(finding, parseRules(shipped), () => {
      throw new Error('the account zone must not read Organizations');
    });
    expect(accountZone).toEqual({ accountIds: [admin] });
    expect(analyzePolicy(grantTo(member), accountZone, { kind: 's3' }).externalAccounts).toEqual([member]);
  });

  it('refuses a rules file whose organizationId is not the organization Organizations answers', async () => {
    const clients = organizationsClientsIn(stack, freshAccount());
    await organizationWith(clients, 1);
    const rules = withZone('  kind: organization\n  organizationId: o-aaaaaaaaaa');
    await expect(zoneOfTrustFor(bucketFinding('123456789012'), rules, new OrganizationDirectory(clients, { ttlSeconds: 60 }))).rejects.toThrow(
      /zoneOfTrust.organizationId is o-aaaaaaaaaa, but AWS Organizations says this deployment belongs to o-/,
    );
  });

  it('says the account is in no organization, as an InvalidRulesError, and keeps nothing in the cache', async () => {
    const clients = organizationsClientsIn(stack, freshAccount());
    const directory = new OrganizationDirectory(clients, { ttlSeconds: 900 });
    await expect(directory.get()).rejects.toThrow(InvalidRulesError);
    await expect(directory.get()).rejects.toThrow(/not a member of an AWS organization \(AWSOrganizationsNotInUseException\)/);

    const { id } = await organizationWith(clients, 0);
    expect((await directory.get()).id).toBe(id);
  });
});
