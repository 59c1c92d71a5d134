/**
 * sqs-remove-external-statements — the minimal fix for a queue policy that
 * grants access outside the zone of trust (remove or narrow only what reaches
 * outside; a policy with nothing trusted left is deleted with an empty Policy
 * attribute). The queue URL comes from the ARN through GetQueueUrl with the
 * owner account, never from the event. The prior policy is saved byte for byte.
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { findingArn } from './arn';
import { removeExternalStatementsControl } from './remove-external-statements';
import type { ControlContext, CorrectiveControl } from './types';
import { controlFacts } from './catalog';

async function queueUrl(ctx: ControlContext): Promise<string> {
  const { resource, accountId } = findingArn(ctx, 'sqs');
  if (!accountId || resource.includes('/') || resource.includes(':')) {
    throw new ControlFailedError(`"${ctx.finding.resource.arn}" is not an SQS queue ARN`, { context: { resourceArn: ctx.finding.resource.arn } });
  }
  const { QueueUrl } = await ctx.clients.get(SQSClient).send(new GetQueueUrlCommand({ QueueName: resource, QueueOwnerAWSAccountId: accountId }));
  if (!QueueUrl) throw new ControlFailedError(`no URL for queue ${ctx.finding.resource.arn}`);
  return QueueUrl;
}

async function readQueuePolicy(ctx: ControlContext): Promise<string | null> {
  try {
    const QueueUrl = await queueUrl(ctx);
    const { Attributes } = await ctx.clients.get(SQSClient).send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }));
    return Attributes?.Policy ? Attributes.Policy : null;
  } catch (error) {
    throw toRemediatorError(error, `reading the queue policy of ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

/** An empty Policy attribute deletes the queue policy. */
async function setQueuePolicy(ctx: ControlContext, policy: string, doing: string): Promise<void> {
  try {
    const QueueUrl = await queueUrl(ctx);
    await ctx.clients.get(SQSClient).send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy } }));
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const sqsRemoveExternalStatements: CorrectiveControl = removeExternalStatementsControl({
  facts: controlFacts('sqs-remove-external-statements'),
  noun: 'queue policy',
  kind: 'sqs',
  access: {
    read: readQueuePolicy,
    write: (ctx, policy) => setQueuePolicy(ctx, policy, 'writing the queue policy of'),
    remove: (ctx) => setQueuePolicy(ctx, '', 'deleting the queue policy of'),
  },
});
