/**
 * sns-remove-external-statements against the emulator's SNS, through the runner.
 * moto stores a topic policy as parsed JSON and returns it compact, so the
 * originals here are compact JSON: what the service returns is what is saved and put back.
 */
import { CreateTopicCommand, GetTopicAttributesCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { getControl } from '../../lib/controls/registry';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';
import { expectWithinPermissions, recordCommands } from '../support/recorded-commands';

const stack = useLocalStack();
const recorder = recordCommands();
const sns = new SNSClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 'sns-remove-external-statements';

const context = (topicArn: string): ControlContext => recorder.record(controlContextFor(stack, topicArn, 'AWS::SNS::Topic'));

async function topicWith(statements: (arn: string) => object[]): Promise<{ arn: string; text: string }> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName('ctl-topic') }));
  const text = JSON.stringify({ Version: '2008-10-17', Id: '__default_policy_ID', Statement: statements(TopicArn!) });
  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: text }));
  return { arn: TopicArn!, text };
}

const policyOf = async (arn: string) => (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes?.Policy;

const ownerStatement = (account: string, topic: string) => ({
  Sid: '__default_statement_ID',
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: ['SNS:Publish', 'SNS:Subscribe', 'SNS:GetTopicAttributes'],
  Resource: topic,
  Condition: { StringEquals: { 'AWS:SourceOwner': account } },
});

async function apply(topicArn: string) {
  const changeId = uniqueName('change');
  const result = await applyChange({ controlId: CONTROL, ctx: context(topicArn), store: audit, changeId, executionArn: `arn:aws:states:::execution:x:${changeId}`, actor: 'auto' });
  return { changeId, result };
}

describe('sns-remove-external-statements on the emulator', () => {
  it('removes the external account, keeps the owner statement, and rolls back to the exact text', async () => {
    const { arn, text } = await topicWith((topic) => [
      ownerStatement(stack.accountId, topic),
      { Sid: 'PartnerSubscribe', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'SNS:Subscribe', Resource: topic },
    ]);
    expect(await policyOf(arn)).toBe(text);
    expect((await verifyChange(CONTROL, context(arn))).resolved).toBe(false);

    const { changeId, result } = await apply(arn);

    expect(result.status).toBe('REMEDIATED');
    const fixed = JSON.parse((await policyOf(arn))!);
    expect(fixed.Statement).toEqual([JSON.parse(text).Statement[0]]);
    const record = await audit.getChange(changeId);
    expect(record?.before.policy).toBe(text);
    expect(await getControl(CONTROL).snapshot(context(arn))).toEqual(record?.after);
    expect(await verifyChange(CONTROL, context(arn))).toMatchObject({ resolved: true });

    await rollbackChange({ ctx: context(arn), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(arn)).toBe(text);
  });

  it('refuses to leave a topic without a policy: ControlFailedError, nothing written', async () => {
    const { arn, text } = await topicWith((topic) => [{ Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'SNS:Publish', Resource: topic }]);
    await expect(apply(arn)).rejects.toMatchObject({ name: 'ControlFailedError' });
    expect(await policyOf(arn)).toBe(text);
  });

  it('changes nothing on the default topic policy', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName('ctl-topic') }));
    const before = await policyOf(TopicArn!);
    expect((await apply(TopicArn!)).result.status).toBe('NOT_APPLICABLE');
    expect(await policyOf(TopicArn!)).toBe(before);
  });

  it('sends only commands whose IAM actions it declares', () => {
    expectWithinPermissions(recorder, getControl(CONTROL));
    expect(recorder.actions()).toEqual(['sns:GetTopicAttributes', 'sns:SetTopicAttributes']);
  });
});
