/** Member accounts without the network: STS names, the settings, and which accounts the rules file opts in. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MEMBER_ROLE_NAME, memberRoleArn, memberRoleSettingsFromEnv, sessionNameOf, sessionTagsOf, tagValueOf } from '../../../lib/accounts/member-role';
import { whyNotOptedIn } from '../../../lib/accounts/opt-in';
import { FindingSchema } from '../../../lib/finding';
import { parseRules } from '../../../lib/rules/load';
import { triage } from '../../../lib/rules/triage';
import { readFileSync } from 'node:fs';

const OWN = '123456789012';
const MEMBER = '222222222222';
const shipped = readFileSync('remediator.rules.yaml', 'utf8');

describe('the member role\'s names', () => {
  it('builds the role ARN in the partition of the finding\'s region', () => {
    expect(memberRoleArn(MEMBER, 'eu-west-1', 'RemediatorMemberRole')).toBe('arn:aws:iam::222222222222:role/RemediatorMemberRole');
    expect(memberRoleArn(MEMBER, 'us-gov-west-1', 'R')).toBe('arn:aws-us-gov:iam::222222222222:role/R');
  });

  it('keeps an execution name that STS accepts as the session name', () => {
    expect(sessionNameOf('member-5f2c9a1e')).toBe('member-5f2c9a1e');
  });

  it('makes a too-long or odd execution name STS-safe (2-64 of [\\w+=,.@-]) and keeps two such names apart', () => {
    const long = `aa-${'x'.repeat(77)}`;
    const other = `aa-${'x'.repeat(76)}y`;
    for (const name of [long, other, 'a', 'exec with spaces/and#marks', '€€€']) {
      expect(sessionNameOf(name)).toMatch(/^[\w+=,.@-]{2,64}$/);
    }
    expect(sessionNameOf(long)).not.toBe(sessionNameOf(other));
    expect(sessionNameOf('a b')).not.toBe(sessionNameOf('a-b'));
  });

  it('tags the session with the finding and the actor, in the characters session tags allow', () => {
    expect(tagValueOf('arn:aws:s3:::b/with spaces?#')).toBe('arn:aws:s3:::b/with spaces__');
    expect(tagValueOf('x'.repeat(300))).toHaveLength(256);
    expect(sessionTagsOf({ execution: 'e', findingId: 'f-1', actor: 'slack:U1' })).toEqual([
      { Key: 'remediator:finding', Value: 'f-1' },
      { Key: 'remediator:actor', Value: 'slack:U1' },
    ]);
  });

  it('reads the role name and external id from the environment, and refuses a malformed one by name', () => {
    expect(memberRoleSettingsFromEnv({ REMEDIATOR_ACCOUNT_ID: OWN })).toEqual({ adminAccountId: OWN, roleName: DEFAULT_MEMBER_ROLE_NAME, externalId: null });
    expect(memberRoleSettingsFromEnv({ REMEDIATOR_MEMBER_ROLE_NAME: 'Other', REMEDIATOR_MEMBER_EXTERNAL_ID: 'ext-1' })).toEqual({ adminAccountId: null, roleName: 'Other', externalId: 'ext-1' });
    expect(() => memberRoleSettingsFromEnv({ REMEDIATOR_MEMBER_ROLE_NAME: 'has space' })).toThrow(/REMEDIATOR_MEMBER_ROLE_NAME/);
    expect(() => memberRoleSettingsFromEnv({ REMEDIATOR_MEMBER_EXTERNAL_ID: 'x' })).toThrow(/REMEDIATOR_MEMBER_EXTERNAL_ID/);
  });
});

describe('accounts: which accounts are changed', () => {
  it('always acts on the deployment\'s own account, and on every account when that is unknown (as before)', () => {
    expect(whyNotOptedIn(OWN, undefined, { ownAccountId: OWN })).toBeNull();
    expect(whyNotOptedIn(MEMBER, undefined, { ownAccountId: null })).toBeNull();
  });

  it('acts on no other account by default, and says which account and why', () => {
    expect(whyNotOptedIn(MEMBER, undefined, { ownAccountId: OWN })).toMatch(/^222222222222 is not this deployment's account \(123456789012\).*opts in no member accounts/);
  });

  it('acts on a listed account, or on all, and names the list when an account is not on it', () => {
    expect(whyNotOptedIn(MEMBER, [MEMBER], { ownAccountId: OWN })).toBeNull();
    expect(whyNotOptedIn(MEMBER, 'all', { ownAccountId: OWN })).toBeNull();
    expect(whyNotOptedIn('333333333333', [MEMBER], { ownAccountId: OWN })).toMatch(/333333333333 .* not opted in \(accounts: 222222222222\)/);
  });

  it('acts on an account under an opted-in OU, and fails closed when its OU is not known', () => {
    const accounts = { ous: ['ou-ab12-cdefgh34'] };
    const ouPathOf = (account: string) => (account === MEMBER ? ['ou-ab12-cdefgh34', 'r-ab12'] : account === '444444444444' ? ['ou-ab12-zzzzzzzz'] : undefined);
    expect(whyNotOptedIn(MEMBER, accounts, { ownAccountId: OWN, ouPathOf })).toBeNull();
    expect(whyNotOptedIn('444444444444', accounts, { ownAccountId: OWN, ouPathOf })).toMatch(/in none of the opted-in OUs \(ou-ab12-cdefgh34\)/);
    expect(whyNotOptedIn('333333333333', accounts, { ownAccountId: OWN, ouPathOf })).toMatch(/OU of 333333333333 is not known/);
    expect(whyNotOptedIn(MEMBER, accounts, { ownAccountId: OWN })).toMatch(/not known/);
  });

  it('is read from the rules file: all, a list of ids, or OUs', () => {
    expect(parseRules(`${shipped}\naccounts: all\n`).accounts).toBe('all');
    expect(parseRules(`${shipped}\naccounts: ["${MEMBER}"]\n`).accounts).toEqual([MEMBER]);
    expect(parseRules(`${shipped}\naccounts: { ous: [ou-ab12-cdefgh34] }\n`).accounts).toEqual({ ous: ['ou-ab12-cdefgh34'] });
    expect(parseRules(shipped).accounts).toBeUndefined();
  });

  it('refuses a malformed accounts field with the line and what is wrong', () => {
    expect(() => parseRules(`${shipped}\naccounts: ["2222"]\n`)).toThrow(expect.objectContaining({ name: 'InvalidRulesError' }));
    expect(() => parseRules(`${shipped}\naccounts: []\n`)).toThrow(/accounts/);
    expect(() => parseRules(`${shipped}\naccounts: { ous: [finance] }\n`)).toThrow(/accounts/);
    expect(() => parseRules(`${shipped}\naccounts: some\n`)).toThrow(/accounts/);
  });
});

describe('triage of a finding about another account', () => {
  const finding = (accountId: string) =>
    FindingSchema.parse({
      id: 'f-member',
      source: 'access-analyzer',
      type: 'ExternalAccess',
      status: 'ACTIVE',
      severity: 'HIGH',
      resource: { arn: 'arn:aws:s3:::member-bucket', type: 'AWS::S3::Bucket', accountId, region: 'us-east-1' },
      observedAt: '2026-12-01T00:00:00Z',
      raw: { eventId: 'e', source: 'aws.access-analyzer' },
    });

  it('remediates it when the account is opted in, with the control the rules pick', () => {
    const rules = parseRules(`${shipped}\naccounts: ["${MEMBER}"]\n`);
    expect(triage(finding(MEMBER), rules, { accountId: OWN })).toMatchObject({ action: 'REMEDIATE', controlId: 's3-deny-all-bucket-policy' });
  });

  it('notifies it, naming the account, when it is not', () => {
    const rules = parseRules(`${shipped}\naccounts: ["${MEMBER}"]\n`);
    const decision = triage(finding('333333333333'), rules, { accountId: OWN });
    expect(decision).toMatchObject({ action: 'NOTIFY', mode: 'notify', controlId: null });
    expect(decision.reason).toContain('333333333333 is not this deployment\'s account (123456789012) and is not opted in');
  });
});
