/**
 * iam-revoke-role-sessions — the console's "Revoke active sessions" for a role whose credentials
 * were misused: put the inline policy `AWSRevokeOlderSessions`, denying every action to sessions
 * whose token was issued before now (aws:TokenIssueTime). Sessions issued afterwards (an instance
 * profile refreshing its credentials) work again. `before` is the role's existing inline policy of
 * that name (exact text, URL-decoded as IAM returns it) or null; rollback puts it back or deletes it.
 * Proof before write: the policy is Deny only, so it grants nothing.
 */
import { DeleteRolePolicyCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { ControlFailedError, UnsafeFixError } from '../errors';
import type { PolicyDocument, PolicyStatement } from '../policy';
import { grantsAdded } from './proof';
import { iamRoleNameOf } from './resource-ids';
import type { ControlContext, ControlPlan, CorrectiveControl, VerifyOutcome } from './types';
import { controlFacts } from './catalog';

export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';

/** IAM's "no such policy": the error code, and the SDK v3 exception name. */
const NO_SUCH_ENTITY = new Set(['NoSuchEntity', 'NoSuchEntityException']);

export function revokeOlderSessionsPolicy(issuedBefore: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } } }],
  });
}

/** The time before which the policy revokes sessions; null when it is not a revoke-older-sessions policy. */
export function revokedBefore(policy: string | null): Date | null {
  if (policy === null) return null;
  const doc = JSON.parse(policy) as PolicyDocument;
  const statements: PolicyStatement[] = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const times = statements
    .filter((s) => s.Effect === 'Deny' && [s.Action].flat().includes('*') && [s.Resource].flat().includes('*'))
    .map((s) => s.Condition?.DateLessThan?.['aws:TokenIssueTime'])
    .filter((t): t is string => typeof t === 'string')
    .map((t) => new Date(t))
    .filter((d) => !Number.isNaN(d.getTime()));
  return times.length ? new Date(Math.max(...times.map((d) => d.getTime()))) : null;
}

async function readPolicy(ctx: ControlContext): Promise<string | null> {
  const roleName = iamRoleNameOf(ctx);
  try {
    const result = await ctx.clients.get(IAMClient).send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME }));
    if (result.PolicyDocument === undefined) return null;
    return decodeURIComponent(result.PolicyDocument);
  } catch (error) {
    if (NO_SUCH_ENTITY.has(awsErrorName(error))) return null;
    throw toRemediatorError(error, `reading inline policy ${REVOKE_POLICY_NAME} of role ${roleName}`, { resourceArn: ctx.finding.resource.arn });
  }
}

async function putPolicy(ctx: ControlContext, policy: string | null): Promise<void> {
  const roleName = iamRoleNameOf(ctx);
  const iam = ctx.clients.get(IAMClient);
  try {
    if (policy !== null) {
      await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: policy }));
      return;
    }
    await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME })).catch((error: unknown) => {
      if (!NO_SUCH_ENTITY.has(awsErrorName(error))) throw error;
    });
  } catch (error) {
    throw toRemediatorError(error, `writing inline policy ${REVOKE_POLICY_NAME} of role ${roleName}`, { resourceArn: ctx.finding.resource.arn });
  }
}

/** Sessions issued up to the finding's last observation must be revoked. */
const covers = (policy: string | null, ctx: ControlContext) => {
  const before = revokedBefore(policy);
  return before !== null && before.getTime() >= new Date(ctx.finding.observedAt).getTime();
};

export const iamRevokeRoleSessions: CorrectiveControl = {
  ...controlFacts('iam-revoke-role-sessions'),

  async snapshot(ctx) {
    return { policy: await readPolicy(ctx) };
  },

  async plan(ctx): Promise<ControlPlan> {
    const policy = await readPolicy(ctx);
    const before = { policy };
    const role = ctx.finding.resource.arn;
    if (covers(policy, ctx)) {
      return { applicable: false, reason: `${REVOKE_POLICY_NAME} already revokes sessions issued before ${revokedBefore(policy)?.toISOString()}`, before, after: before, summary: `No change: the sessions of ${role} up to the finding are already revoked.` };
    }
    const now = new Date().toISOString();
    const after = revokeOlderSessionsPolicy(now);
    const added = grantsAdded(policy, after);
    if (added.length) throw new UnsafeFixError(`the policy planned for ${role} grants something: ${added.join('; ')}`);
    return {
      applicable: true,
      reason: `sessions of the role issued before ${ctx.finding.observedAt} may be in other hands`,
      before,
      after: { policy: after },
      summary: `Revoke every session of ${role} issued before ${now} (inline policy ${REVOKE_POLICY_NAME}${policy === null ? '' : ', replacing the existing one'}); new sessions work.`,
    };
  },

  async write(ctx, plan) {
    if (!plan.after.policy) throw new ControlFailedError(`the plan for ${ctx.finding.resource.arn} has no policy to write`);
    await putPolicy(ctx, plan.after.policy);
  },

  async verify(ctx): Promise<VerifyOutcome> {
    const policy = await readPolicy(ctx);
    const ok = covers(policy, ctx);
    return { resolved: ok, reason: ok ? `sessions issued before ${revokedBefore(policy)?.toISOString()} are denied` : 'sessions issued before the finding are not revoked', observed: { policy } };
  },

  async restore(ctx, before) {
    await putPolicy(ctx, before.policy ?? null);
  },
};
