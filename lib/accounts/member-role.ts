/**
 * The member role: the role Remediator assumes in every opted-in member
 * account (iam/member-role.yaml deploys it as a StackSet). Its name, the
 * external id, and the STS names this module derives (role ARN, session name,
 * session tags) are the whole contract between the admin and member accounts.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { partitionOf } from '../sources/resource-arn';
import { RemediatorError } from '../errors';

export const DEFAULT_MEMBER_ROLE_NAME = 'RemediatorMemberRole';

/** What the admin account needs to reach a member account (serverless.yml / local/stack.ts set the environment). */
export interface MemberRoleSettings {
  /** The account this deployment runs in: its own resources use its own credentials. Null: unknown, only its own credentials are used. */
  adminAccountId: string | null;
  roleName: string;
  /** The sts:ExternalId the member role's trust policy requires. */
  externalId: string | null;
}

const RoleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name is 1-64 characters of letters, digits and +=,.@_-');
const ExternalId = z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'an external id is 2-1224 characters of letters, digits and +=,.@:/_-');

export function memberRoleSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): MemberRoleSettings {
  const roleName = RoleName.safeParse(env.REMEDIATOR_MEMBER_ROLE_NAME || DEFAULT_MEMBER_ROLE_NAME);
  if (!roleName.success) throw new RemediatorError(`REMEDIATOR_MEMBER_ROLE_NAME: ${roleName.error.issues[0]?.message}`, { context: { variable: 'REMEDIATOR_MEMBER_ROLE_NAME' } });
  const externalId = env.REMEDIATOR_MEMBER_EXTERNAL_ID ? ExternalId.safeParse(env.REMEDIATOR_MEMBER_EXTERNAL_ID) : null;
  if (externalId && !externalId.success) {
    throw new RemediatorError(`REMEDIATOR_MEMBER_EXTERNAL_ID: ${externalId.error.issues[0]?.message}`, { context: { variable: 'REMEDIATOR_MEMBER_EXTERNAL_ID' } });
  }
  return { adminAccountId: env.REMEDIATOR_ACCOUNT_ID || null, roleName: roleName.data, externalId: externalId?.data ?? null };
}

/** `arn:<partition>:iam::<account>:role/<name>`, in the partition of the region the finding was reported in. */
export function memberRoleArn(accountId: string, region: string, roleName: string): string {
  return `arn:${partitionOf(region)}:iam::${accountId}:role/${roleName}`;
}

/**
 * STS's rules for RoleSessionName: 2-64 characters of `[\w+=,.@-]`. The execution
 * name is kept when it fits; a longer one keeps its start and ends with a digest
 * of the whole name, so two executions never share a session name.
 */
export function sessionNameOf(executionName: string): string {
  const clean = executionName.replace(/[^\w+=,.@-]/g, '-');
  if (clean.length >= 2 && clean.length <= 64 && clean === executionName) return clean;
  const digest = createHash('sha256').update(executionName).digest('hex').slice(0, 12);
  const head = clean.slice(0, 64 - digest.length - 1);
  return head ? `${head}-${digest}` : `remediator-${digest}`;
}

/** Session tag values: up to 256 characters of letters, digits, spaces and `_.:/=+-@`. */
export function tagValueOf(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

/** Who a member session acts for: the execution (session name) and the finding and actor (session tags). */
export interface MemberSession {
  execution: string;
  findingId: string;
  actor: string;
}

export function sessionTagsOf(session: MemberSession): { Key: string; Value: string }[] {
  return [
    { Key: 'remediator:finding', Value: tagValueOf(session.findingId) },
    { Key: 'remediator:actor', Value: tagValueOf(session.actor) },
  ];
}
