/**
 * A real Step Functions task token from the emulator: a one-state machine whose Task is
 * `.waitForTaskToken` (the SQS integration hands the token out through a queue), as
 * Request Approval's Task waits for a human. Resuming the token ends the execution.
 */
import { CreateStateMachineCommand, DescribeExecutionCommand, StartExecutionCommand, type DescribeExecutionCommandOutput, type SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { uniqueName } from '../../local/fixtures';

/** Receive the first message of a queue that satisfies `match` (and delete it). */
export async function receiveMatching(sqs: SQSClient, queueUrl: string, match: (body: string) => boolean): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const message of Messages) {
      if (!match(message.Body ?? '')) continue;
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      return message.Body ?? '';
    }
  }
  throw new Error(`no matching message on ${queueUrl}`);
}

export interface TaskTokens {
  /** Start an execution and wait until its task hands out its token. */
  waiting(): Promise<{ executionArn: string; taskToken: string }>;
  /** The execution once it is no longer RUNNING (or after 20 s). */
  finished(executionArn: string): Promise<DescribeExecutionCommandOutput>;
}

export async function taskTokens(sfn: SFNClient, sqs: SQSClient, accountId: string): Promise<TaskTokens> {
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('task-tokens') }))).QueueUrl ?? '';
  const { stateMachineArn = '' } = await sfn.send(
    new CreateStateMachineCommand({
      name: uniqueName('wait-for-decision'),
      roleArn: `arn:aws:iam::${accountId}:role/task-token-test`,
      definition: JSON.stringify({
        StartAt: 'Wait For Decision',
        States: {
          'Wait For Decision': {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
            Parameters: { QueueUrl: queueUrl, MessageBody: { 'token.$': '$$.Task.Token', 'execution.$': '$$.Execution.Id' } },
            End: true,
          },
        },
      }),
    }),
  );
  return {
    async waiting() {
      const { executionArn = '' } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: uniqueName('run'), input: '{}' }));
      const message = JSON.parse(await receiveMatching(sqs, queueUrl, (body) => body.includes(executionArn))) as { token: string };
      return { executionArn, taskToken: message.token };
    },
    async finished(executionArn) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (described.status !== 'RUNNING' || Date.now() > deadline) return described;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
}
