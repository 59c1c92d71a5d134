/**
 * `zoneOfTrust: organization` in the rules file, and the pure widening of the account zone to the
 * organization that AWS Organizations answered (the reading itself is tested on the emulator:
 * test/emulator/org-zone.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidRulesError } from '../../../lib/errors';
import { OrganizationDirectory } from '../../../lib/org/organization';
import { organizationZone } from '../../../lib/org/zone';
import { AwsClients } from '../../../lib/aws/clients';
import { parseRules } from '../../../lib/rules/load';

const shipped = readFileSync('remediator.rules.yaml', 'utf8');
const withZone = (zone: string) => parseRules(shipped.replace(/zoneOfTrust:\n(?: {2}.*\n|\n)*/, `zoneOfTrust:${zone}\n\n`));

describe('zoneOfTrust in the rules file', () => {
  it('stays the account zone by default', () => {
    expect(parseRules(shipped).zoneOfTrust).toEqual({ kind: 'account', accountIds: [], organizationAccountIds: [], cacheSeconds: 900 });
  });

  it('accepts the short form `zoneOfTrust: organization` with the 15-minute cache', () => {
    expect(withZone(' organization').zoneOfTrust).toEqual({ kind: 'organization', accountIds: [], organizationAccountIds: [], cacheSeconds: 900 });
  });

  it('accepts the long form with its own expiry and a pinned organization id', () => {
    const zone = withZone('\n  kind: organization\n  organizationId: o-abcdefghij\n  cacheSeconds: 60').zoneOfTrust;
    expect(zone).toMatchObject({ kind: 'organization', organizationId: 'o-abcdefghij', cacheSeconds: 60 });
  });

  it('refuses an unknown kind and a negative expiry, naming the field', () => {
    expect(() => withZone(' everyone')).toThrow(InvalidRulesError);
    expect(() => withZone(' everyone')).toThrow(/zoneOfTrust\.kind/);
    expect(() => withZone('\n  kind: organization\n  cacheSeconds: -1')).toThrow(/zoneOfTrust\.cacheSeconds/);
  });
});

describe('organizationZone', () => {
  const base = { accountIds: ['111111111111'] };
  const org = { id: 'o-abcdefghij', accountIds: ['222222222222', '111111111111'] };

  it('adds the organization id and its members (with any typed ones) to the account zone', () => {
    const zone = organizationZone(base, { organizationAccountIds: ['333333333333'] }, org);
    expect(zone).toEqual({ accountIds: ['111111111111'], organizationId: 'o-abcdefghij', organizationAccountIds: ['111111111111', '222222222222', '333333333333'] });
  });

  it('refuses a typed organization id that is not the real one', () => {
    expect(() => organizationZone(base, { organizationId: 'o-zzzzzzzzzz', organizationAccountIds: [] }, org)).toThrow(InvalidRulesError);
    expect(() => organizationZone(base, { organizationId: 'o-zzzzzzzzzz', organizationAccountIds: [] }, org)).toThrow(/o-zzzzzzzzzz, but AWS Organizations says .* o-abcdefghij/);
  });
});

describe('OrganizationDirectory', () => {
  it('refuses an expiry that is not a whole number of seconds', () => {
    const clients = new AwsClients({ region: 'us-east-1' });
    expect(() => new OrganizationDirectory(clients, { ttlSeconds: 1.5 })).toThrow(/whole number of seconds ≥ 0, not 1.5/);
    expect(() => new OrganizationDirectory(clients, { ttlSeconds: -1 })).toThrow(InvalidRulesError);
  });
});
