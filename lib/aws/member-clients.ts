/**
 * Clients that act in a member account: credentials from `AssumeRole` into that
 * account's member role (ExternalId, session name = the execution, session tags
 * = finding id and actor), checked with `GetCallerIdentity` before they are used
 * at all — so before the first write — once per session: credentials that answer
 * for another account are a WrongAccountError and nothing is called with them.
 *
 * Sessions are cached for the life of the container, per account and execution
 * (CloudTrail in the member account must name the execution that acted), and
 * assumed again a few minutes before they expire.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { memberRoleArn, memberRoleSettingsFromEnv, sessionNameOf, sessionTagsOf, type MemberRoleSettings, type MemberSession } from '../accounts/member-role';
import { RemediatorError, WrongAccountError } from '../errors';
import { AwsClients } from './clients';
import { toRemediatorError } from './errors';

/** Assume again when a session has less than this left. */
const REFRESH_BEFORE_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;
/** Sessions kept per container; the oldest go first. */
const MAX_SESSIONS = 64;

interface CachedSession {
  clients: AwsClients;
}

export class MemberAccountClients {
  private readonly sessions = new Map<string, CachedSession>();

  constructor(
    /** The admin account's own clients: STS AssumeRole is called with them, and they act on its own resources. */
    readonly admin: AwsClients,
    readonly settings: MemberRoleSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Is this account acted on through its member role (not the deployment's own account)? */
  isMember(accountId: string): boolean {
    return this.settings.adminAccountId !== null && accountId !== this.settings.adminAccountId;
  }

  /**
   * The clients for a resource in `accountId` (reported in `region`): the admin's own for its own
   * account, else clients whose credentials come from the member role of that account.
   */
  forAccount(accountId: string, region: string, session: MemberSession): AwsClients {
    if (!this.isMember(accountId)) return this.admin;
    if (!/^\d{12}$/.test(accountId)) throw new RemediatorError(`"${accountId}" is not an AWS account id`, { context: { accountId } });
    const roleArn = memberRoleArn(accountId, region, this.settings.roleName);
    const sessionName = sessionNameOf(session.execution);
    const key = `${accountId}|${sessionName}|${session.findingId}|${session.actor}`;
    const cached = this.sessions.get(key);
    if (cached) return cached.clients;
    const provider = this.credentialsProvider(accountId, roleArn, sessionName, session);
    const clients = new AwsClients({ ...this.admin.config, credentials: provider }, { accountId });
    this.remember(key, { clients });
    return clients;
  }

  private remember(key: string, session: CachedSession): void {
    this.sessions.set(key, session);
    while (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
  }

  /** One assumed session at a time per cache entry, shared by concurrent calls, checked before first use. */
  private credentialsProvider(accountId: string, roleArn: string, sessionName: string, session: MemberSession): () => Promise<AwsCredentialIdentity> {
    let current: Promise<AwsCredentialIdentity> | undefined;
    let expiresAt = 0;
    return () => {
      if (current && this.now() < expiresAt - REFRESH_BEFORE_MS) return current;
      const assumed = this.assumeAndCheck(accountId, roleArn, sessionName, session).then((credentials) => {
        expiresAt = credentials.expiration?.getTime() ?? this.now() + SESSION_SECONDS * 1000;
        return credentials;
      });
      // Until it settles, concurrent calls share this attempt; a failed attempt is not kept.
      expiresAt = Number.POSITIVE_INFINITY;
      current = assumed;
      assumed.catch(() => {
        if (current === assumed) {
          current = undefined;
          expiresAt = 0;
        }
      });
      return assumed;
    };
  }

  private async assumeAndCheck(accountId: string, roleArn: string, sessionName: string, session: MemberSession): Promise<AwsCredentialIdentity> {
    const context = { accountId, roleArn, sessionName, findingId: session.findingId };
    let credentials: AwsCredentialIdentity;
    try {
      const answer = await this.admin.get(STSClient).send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: sessionName,
          DurationSeconds: SESSION_SECONDS,
          Tags: sessionTagsOf(session),
          ...(this.settings.externalId ? { ExternalId: this.settings.externalId } : {}),
        }),
      );
      const c = answer.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new RemediatorError(`AssumeRole ${roleArn} returned no credentials`, { context });
      credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}), ...(c.Expiration ? { expiration: c.Expiration } : {}) };
    } catch (error) {
      throw toRemediatorError(error, `assuming ${roleArn}`, context);
    }
    // The identity check uses the new credentials themselves, through a client of the member scope.
    const probe = new AwsClients({ ...this.admin.config, credentials }, { accountId });
    let identity: { Account?: string; Arn?: string };
    try {
      identity = await probe.get(STSClient).send(new GetCallerIdentityCommand({}));
    } catch (error) {
      throw toRemediatorError(error, `checking the identity of ${roleArn}`, context);
    }
    if (identity.Account !== accountId) {
      throw new WrongAccountError(
        `the credentials from ${roleArn} act in account ${identity.Account ?? 'unknown'} (${identity.Arn ?? 'no ARN'}), not ${accountId} where the resource is: nothing is written with them`,
        { context: { ...context, actualAccount: identity.Account ?? null, actualArn: identity.Arn ?? null } },
      );
    }
    return credentials;
  }
}

const perAdmin = new WeakMap<AwsClients, MemberAccountClients>();

/** The member-account clients that go with these admin clients (settings from the environment, read once per admin clients). */
export function memberAccountsOf(admin: AwsClients): MemberAccountClients {
  let members = perAdmin.get(admin);
  if (!members) {
    members = new MemberAccountClients(admin, memberRoleSettingsFromEnv());
    perAdmin.set(admin, members);
  }
  return members;
}
