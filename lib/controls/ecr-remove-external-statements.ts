/**
 * ecr-remove-external-statements — the minimal fix for an ECR repository
 * whose repository policy grants access outside the zone of trust: remove (or
 * narrow) only the offending principals and statements (lib/policy
 * buildMinimalFix, proven before the write); delete the policy when nothing
 * trusted remains. The prior policy is saved byte for byte and put back as it was.
 * SetRepositoryPolicy keeps ECR's lockout check on (no `force`).
 */
import { DeleteRepositoryPolicyCommand, ECRClient, GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { removeExternalStatementsControl } from './remove-external-statements';
import { findingArn } from './arn';
import type { ControlContext, CorrectiveControl } from './types';
import { controlFacts } from './catalog';

interface RepositoryRef {
  registryId: string;
  repositoryName: string;
}

/** The repository the finding names (`…:repository/<name>`, the name may contain `/`). */
export function repositoryOf(ctx: ControlContext): RepositoryRef {
  const { accountId, resource } = findingArn(ctx, 'ecr');
  const match = /^repository\/([a-z0-9][a-z0-9._/-]*)$/.exec(resource);
  if (!match) throw new ControlFailedError(`"${ctx.finding.resource.arn}" is not an ECR repository ARN`, { context: { resourceArn: ctx.finding.resource.arn } });
  return { registryId: accountId, repositoryName: match[1]! };
}

async function call<T>(ctx: ControlContext, doing: string, send: (ecr: ECRClient, repository: RepositoryRef) => Promise<T>): Promise<T> {
  const repository = repositoryOf(ctx);
  try {
    return await send(ctx.clients.get(ECRClient), repository);
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const ecrRemoveExternalStatements: CorrectiveControl = removeExternalStatementsControl({
  facts: controlFacts('ecr-remove-external-statements'),
  noun: 'repository policy',
  kind: 'ecr',
  access: {
    read: (ctx) =>
      call(ctx, 'reading the repository policy of', async (ecr, repository) => {
        try {
          return (await ecr.send(new GetRepositoryPolicyCommand(repository))).policyText ?? null;
        } catch (error) {
          if (awsErrorName(error) === 'RepositoryPolicyNotFoundException') return null;
          throw error;
        }
      }),
    write: (ctx, policyText) =>
      call(ctx, 'writing the repository policy of', async (ecr, repository) => {
        await ecr.send(new SetRepositoryPolicyCommand({ ...repository, policyText }));
      }),
    remove: (ctx) =>
      call(ctx, 'deleting the repository policy of', async (ecr, repository) => {
        await ecr.send(new DeleteRepositoryPolicyCommand(repository));
      }),
  },
});
