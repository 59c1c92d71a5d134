/**
 * iam-role-restrict-trust — remove the principals outside the zone of trust
 * from a role's trust policy (UpdateAssumeRolePolicy), keep every trusted
 * principal and statement as it is. GetRole returns the trust policy
 * URL-encoded (RFC 3986): it is decoded, and the decoded text is what is
 * saved and put back byte for byte.
 *
 * A role is never left trusting no one: when removing the external principals
 * would leave no Allow statement (the role only existed for the outsiders), the
 * plan throws ControlFailedError (context.reason EMPTY_TRUST_POLICY) and nothing
 * is written — the workflow records the failure and notifies people, who decide.
 */
import { GetRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import type { PolicyDocument } from '../policy';
import { findingArn } from './arn';
import { removeExternalStatementsControl } from './remove-external-statements';
import type { ControlContext, CorrectiveControl } from './types';
import { controlFacts } from './catalog';

export function roleNameOf(ctx: ControlContext): string {
  const { resource } = findingArn(ctx, 'iam');
  const name = resource.startsWith('role/') ? resource.split('/').pop() : undefined;
  if (!name) throw new ControlFailedError(`"${ctx.finding.resource.arn}" is not an IAM role ARN`, { context: { resourceArn: ctx.finding.resource.arn } });
  return name;
}

/** IAM returns policy documents URL-encoded; tolerate a service (or emulator) that returns the JSON as is. */
export function decodePolicyDocument(text: string): string {
  return text.trimStart().startsWith('{') ? text : decodeURIComponent(text);
}

async function readTrustPolicy(ctx: ControlContext): Promise<string | null> {
  try {
    const { Role } = await ctx.clients.get(IAMClient).send(new GetRoleCommand({ RoleName: roleNameOf(ctx) }));
    if (!Role?.AssumeRolePolicyDocument) throw new ControlFailedError(`role ${ctx.finding.resource.arn} returned no trust policy`);
    return decodePolicyDocument(Role.AssumeRolePolicyDocument);
  } catch (error) {
    throw toRemediatorError(error, `reading the trust policy of ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

async function writeTrustPolicy(ctx: ControlContext, policy: string): Promise<void> {
  try {
    await ctx.clients.get(IAMClient).send(new UpdateAssumeRolePolicyCommand({ RoleName: roleNameOf(ctx), PolicyDocument: policy }));
  } catch (error) {
    throw toRemediatorError(error, `writing the trust policy of ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

function allowsAnyone(policy: string): boolean {
  const doc = JSON.parse(policy) as PolicyDocument;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.some((s) => s.Effect === 'Allow');
}

const base = removeExternalStatementsControl({
  facts: controlFacts('iam-role-restrict-trust'),
  noun: 'trust policy',
  kind: 'iam-role',
  access: { read: readTrustPolicy, write: writeTrustPolicy },
});

export const iamRoleRestrictTrust: CorrectiveControl = {
  ...base,
  async plan(ctx) {
    const plan = await base.plan(ctx);
    const after = plan.after.policy;
    if (plan.applicable && (after === null || after === undefined || !allowsAnyone(after))) {
      throw new ControlFailedError(
        `every principal that ${ctx.finding.resource.arn} trusts is outside the zone of trust: removing them would leave the role trusting no one, so nothing was changed — notify the owner instead`,
        { context: { resourceArn: ctx.finding.resource.arn, reason: 'EMPTY_TRUST_POLICY' } },
      );
    }
    return plan;
  },
};
