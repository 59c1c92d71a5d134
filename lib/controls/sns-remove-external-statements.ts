/**
 * sns-remove-external-statements — the minimal fix for a topic policy that
 * grants access outside the zone of trust: remove or narrow only what reaches
 * outside, keep the rest. A topic always has a policy: a fix that would leave
 * none is refused (ControlFailedError), nothing is written. The prior policy
 * text is saved and put back as it was read (SNS may re-serialize what it
 * stores; the emulator stores compact JSON).
 */
import { GetTopicAttributesCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { findingArn } from './arn';
import { removeExternalStatementsControl } from './remove-external-statements';
import type { ControlContext, CorrectiveControl } from './types';
import { controlFacts } from './catalog';

function topicArnOf(ctx: ControlContext): string {
  const { resource, accountId } = findingArn(ctx, 'sns');
  if (!accountId || resource.includes('/') || resource.includes(':')) {
    throw new ControlFailedError(`"${ctx.finding.resource.arn}" is not an SNS topic ARN`, { context: { resourceArn: ctx.finding.resource.arn } });
  }
  return ctx.finding.resource.arn;
}

async function readTopicPolicy(ctx: ControlContext): Promise<string | null> {
  try {
    const { Attributes } = await ctx.clients.get(SNSClient).send(new GetTopicAttributesCommand({ TopicArn: topicArnOf(ctx) }));
    if (!Attributes?.Policy) throw new ControlFailedError(`topic ${ctx.finding.resource.arn} returned no policy`);
    return Attributes.Policy;
  } catch (error) {
    throw toRemediatorError(error, `reading the topic policy of ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

async function writeTopicPolicy(ctx: ControlContext, policy: string): Promise<void> {
  try {
    await ctx.clients.get(SNSClient).send(new SetTopicAttributesCommand({ TopicArn: topicArnOf(ctx), AttributeName: 'Policy', AttributeValue: policy }));
  } catch (error) {
    throw toRemediatorError(error, `writing the topic policy of ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const snsRemoveExternalStatements: CorrectiveControl = removeExternalStatementsControl({
  facts: controlFacts('sns-remove-external-statements'),
  noun: 'topic policy',
  kind: 'sns',
  access: { read: readTopicPolicy, write: writeTopicPolicy },
});
