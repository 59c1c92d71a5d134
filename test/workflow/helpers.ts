import { GetBucketPolicyCommand, GetPublicAccessBlockCommand, type S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SLACK_BUTTONS } from '../../lib/escalation/messages';
import { followExecution, type ExecutionResult } from '../../local/execution';
import { uniqueName } from '../../local/fixtures';
import { fetchRecordedSlackCalls, type RecordedSlackCall } from '../../local/slack-stand-in';

export async function startExecution(sfn: SFNClient, stateMachineArn: string, input: unknown, prefix = 'test'): Promise<string> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name: uniqueName(prefix), input: typeof input === 'string' ? input : JSON.stringify(input) }),
  );
  return executionArn!;
}

export async function runToEnd(sfn: SFNClient, executionArn: string): Promise<ExecutionResult> {
  return followExecution(sfn, executionArn, { timeoutMs: 90_000 });
}

export async function runUntilState(sfn: SFNClient, executionArn: string, state: string): Promise<ExecutionResult> {
  return followExecution(sfn, executionArn, { timeoutMs: 60_000, until: (visits) => visits.some((v) => v.name === state) });
}

export const path = (result: ExecutionResult): string[] => result.states.map((s) => s.name);

export async function livePolicy(s3: S3Client, bucket: string): Promise<string | null> {
  return s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
    (r) => r.Policy ?? null,
    (error: Error) => {
      if (error.name === 'NoSuchBucketPolicy') return null;
      throw error;
    },
  );
}

export async function livePublicAccessBlock(s3: S3Client, bucket: string): Promise<Record<string, boolean> | null> {
  return s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })).then(
    (r) => (r.PublicAccessBlockConfiguration ?? null) as Record<string, boolean> | null,
    (error: Error) => {
      if (error.name === 'NoSuchPublicAccessBlockConfiguration') return null;
      throw error;
    },
  );
}

/** The approval id of the message that asked about this resource, once it reaches Slack. */
export async function buttonValueFor(slackUrl: string, resourceArn: string, actionId: string = SLACK_BUTTONS.approve): Promise<{ value: string; call: RecordedSlackCall }> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const calls = await fetchRecordedSlackCalls(slackUrl);
    for (const call of calls) {
      if (call.method !== 'chat.postMessage' || !JSON.stringify(call.args.blocks ?? []).includes(resourceArn)) continue;
      const blocks = call.args.blocks as { elements?: { action_id?: string; value?: string }[] }[];
      const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
      if (button?.value) return { value: button.value, call };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no Slack message with a ${actionId} button for ${resourceArn}`);
}
