/**
 * secretsmanager-remove-external-statements — the minimal fix for a secret
 * whose resource policy grants access outside the zone of trust: remove (or
 * narrow) only the offending principals and statements (lib/policy
 * buildMinimalFix, proven before the write); delete the policy when nothing
 * trusted remains. The prior policy is saved byte for byte and put back as it was.
 */
import { DeleteResourcePolicyCommand, GetResourcePolicyCommand, PutResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { removeExternalStatementsControl } from './remove-external-statements';
import { findingArn } from './arn';
import type { ControlContext, CorrectiveControl } from './types';
import { controlFacts } from './catalog';

/** The SecretId: the full secret ARN, after checking it names a secret of the finding's account. */
export function secretIdOf(ctx: ControlContext): string {
  const { resource } = findingArn(ctx, 'secretsmanager');
  if (!/^secret:.+/.test(resource)) throw new ControlFailedError(`"${ctx.finding.resource.arn}" is not a Secrets Manager secret ARN`, { context: { resourceArn: ctx.finding.resource.arn } });
  return ctx.finding.resource.arn;
}

async function call<T>(ctx: ControlContext, doing: string, send: (client: SecretsManagerClient, secretId: string) => Promise<T>): Promise<T> {
  const secretId = secretIdOf(ctx);
  try {
    return await send(ctx.clients.get(SecretsManagerClient), secretId);
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${secretId}`, { resourceArn: secretId });
  }
}

export const secretsmanagerRemoveExternalStatements: CorrectiveControl = removeExternalStatementsControl({
  facts: controlFacts('secretsmanager-remove-external-statements'),
  noun: 'secret policy',
  kind: 'secretsmanager',
  access: {
    read: (ctx) => call(ctx, 'reading the resource policy of', async (sm, SecretId) => (await sm.send(new GetResourcePolicyCommand({ SecretId }))).ResourcePolicy ?? null),
    // BlockPublicPolicy is explicitly off: a fix is proven closed before it is written, and a rollback must be able to put back the saved policy as it was.
    write: (ctx, policy) =>
      call(ctx, 'writing the resource policy of', async (sm, SecretId) => {
        await sm.send(new PutResourcePolicyCommand({ SecretId, ResourcePolicy: policy, BlockPublicPolicy: false }));
      }),
    remove: (ctx) =>
      call(ctx, 'deleting the resource policy of', async (sm, SecretId) => {
        await sm.send(new DeleteResourcePolicyCommand({ SecretId }));
      }),
  },
});
