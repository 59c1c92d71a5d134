/**
 * dynamodb-remove-external-statements — the minimal fix for a DynamoDB table
 * or stream whose resource policy grants access outside the zone of trust:
 * remove (or narrow) only the offending principals and statements (lib/policy
 * buildMinimalFix with the generic kind: lib/policy has no DynamoDB kind yet),
 * proven before the write; delete the policy when nothing trusted remains.
 * The prior policy is saved byte for byte and put back as it was.
 * A table and its stream have separate policies: the finding's ARN says which.
 */
import { DeleteResourcePolicyCommand, DynamoDBClient, GetResourcePolicyCommand, PutResourcePolicyCommand } from '@aws-sdk/client-dynamodb';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { removeExternalStatementsControl } from './remove-external-statements';
import { findingArn } from './arn';
import type { ControlContext, CorrectiveControl } from './types';
import { controlFacts } from './catalog';

/** The ResourceArn: a table (`table/name`) or stream (`table/name/stream/label`) ARN of the finding's account. */
export function tableOrStreamArnOf(ctx: ControlContext): string {
  const { resource } = findingArn(ctx, 'dynamodb');
  if (!/^table\/[\w.-]+(\/stream\/[^/]+)?$/.test(resource)) {
    throw new ControlFailedError(`"${ctx.finding.resource.arn}" is not a DynamoDB table or stream ARN`, { context: { resourceArn: ctx.finding.resource.arn } });
  }
  return ctx.finding.resource.arn;
}

async function call<T>(ctx: ControlContext, doing: string, send: (client: DynamoDBClient, resourceArn: string) => Promise<T>): Promise<T> {
  const resourceArn = tableOrStreamArnOf(ctx);
  try {
    return await send(ctx.clients.get(DynamoDBClient), resourceArn);
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${resourceArn}`, { resourceArn });
  }
}

export const dynamodbRemoveExternalStatements: CorrectiveControl = removeExternalStatementsControl({
  facts: controlFacts('dynamodb-remove-external-statements'),
  noun: 'resource policy',
  kind: 'generic',
  access: {
    read: (ctx) =>
      call(ctx, 'reading the resource policy of', async (ddb, ResourceArn) => {
        try {
          return (await ddb.send(new GetResourcePolicyCommand({ ResourceArn }))).Policy ?? null;
        } catch (error) {
          if (awsErrorName(error) === 'PolicyNotFoundException') return null;
          throw error;
        }
      }),
    write: (ctx, policy) =>
      call(ctx, 'writing the resource policy of', async (ddb, ResourceArn) => {
        await ddb.send(new PutResourcePolicyCommand({ ResourceArn, Policy: policy }));
      }),
    remove: (ctx) =>
      call(ctx, 'deleting the resource policy of', async (ddb, ResourceArn) => {
        await ddb.send(new DeleteResourcePolicyCommand({ ResourceArn }));
      }),
  },
});
