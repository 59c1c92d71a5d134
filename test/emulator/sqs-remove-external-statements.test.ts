/**
 * sqs-remove-external-statements against the emulator's SQS, through the runner:
 * queue URL from the ARN, minimal fix, exact rollback, delete and restore.
 * moto stores a queue policy re-serialized, so the originals are the text it returns.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
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
const sqs = new SQSClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 'sqs-remove-external-statements';

const context = (queueArn: string): ControlContext => recorder.record(controlContextFor(stack, queueArn, 'AWS::SQS::Queue'));

const policyOf = async (url: string) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }))).Attributes?.Policy ?? null;

async function queueWith(policy: (arn: string) => string): Promise<{ url: string; arn: string; text: string }> {
  const name = uniqueName('ctl-queue');
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const arn = `arn:aws:sqs:${stack.region}:${stack.accountId}:${name}`;
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy(arn) } }));
  // moto re-serializes a queue policy (Python json.dumps): the text the service returns is what must come back.
  const text = (await policyOf(QueueUrl!))!;
  return { url: QueueUrl!, arn, text };
}


async function apply(queueArn: string) {
  const changeId = uniqueName('change');
  const result = await applyChange({ controlId: CONTROL, ctx: context(queueArn), store: audit, changeId, executionArn: `arn:aws:states:::execution:x:${changeId}`, actor: 'auto' });
  return { changeId, result };
}

describe('sqs-remove-external-statements on the emulator', () => {
  it('removes the external account, narrows the public statement, keeps the trusted one, and rolls back byte for byte', async () => {
    const { url, arn, text } = await queueWith(
      (queue) => `{"Version":"2012-10-17", "Id":"q",
 "Statement":[{"Sid":"Producer","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${stack.accountId}:role/producer"},"Action":"sqs:SendMessage","Resource":"${queue}"},
 {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:root","arn:aws:iam::${stack.accountId}:role/consumer"]},"Action":"sqs:ReceiveMessage","Resource":"${queue}"},
 {"Sid":"Anyone","Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"${queue}"}]}`,
    );
    expect((await verifyChange(CONTROL, context(arn))).resolved).toBe(false);

    const { changeId, result } = await apply(arn);

    expect(result.status).toBe('REMEDIATED');
    const fixed = JSON.parse((await policyOf(url))!);
    expect(fixed.Statement[0]).toEqual(JSON.parse(text).Statement[0]);
    expect(fixed.Statement[1].Principal.AWS).toEqual([`arn:aws:iam::${stack.accountId}:role/consumer`]);
    expect(fixed.Statement[2].Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': stack.accountId } });
    const record = await audit.getChange(changeId);
    expect(record?.before.policy).toBe(text);
    // Equal up to JSON formatting (the runner's contract): moto re-serializes what it stores.
    expect(JSON.parse((await getControl(CONTROL).snapshot(context(arn))).policy!)).toEqual(JSON.parse(record!.after.policy!));
    expect(await verifyChange(CONTROL, context(arn))).toMatchObject({ resolved: true });

    await rollbackChange({ ctx: context(arn), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(url)).toBe(text);
  });

  it('deletes a policy in which nothing trusted is left (empty Policy attribute) and puts it back on rollback', async () => {
    const { url, arn, text } = await queueWith((queue) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'sqs:*', Resource: queue }] }),
    );
    const { changeId, result } = await apply(arn);
    expect(result.summary).toMatch(/^Delete the queue policy/);
    expect(await policyOf(url)).toBeNull();
    await rollbackChange({ ctx: context(arn), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(url)).toBe(text);
  });

  it('changes nothing on a queue only the account can use', async () => {
    const { url, arn, text } = await queueWith((queue) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stack.accountId}:root` }, Action: 'sqs:*', Resource: queue }] }),
    );
    expect((await apply(arn)).result.status).toBe('NOT_APPLICABLE');
    expect(await policyOf(url)).toBe(text);
  });

  it('sends only commands whose IAM actions it declares', () => {
    expectWithinPermissions(recorder, getControl(CONTROL));
    expect(recorder.actions()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SetQueueAttributes']);
  });
});
