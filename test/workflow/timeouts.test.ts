/**
 * When nobody answers: a local stack of this file's own, with rules whose human
 * timeouts are seconds.
 */
import { DeletePublicAccessBlockCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { executionName } from '../../lib/workflow/types';
import { accessAnalyzerEvent, createBucketWithPolicy, publicReadPolicy, uniqueName } from '../../local/fixtures';
import { fetchRecordedSlackCalls } from '../../local/slack-stand-in';
import { useOwnLocalStack } from '../support/own-stack';
import { livePolicy, path, runToEnd, runUntilState, startExecution } from './helpers';

// Waits long enough for the test to re-open the bucket before Check Resolution, even on a busy machine.
const own = useOwnLocalStack({ rulesFile: 'test/fixtures/rules/short-timeouts.yaml', rescanWaitSeconds: 3 });

const name = executionName;

describe('when nobody answers', () => {
  it('lets an approval request expire: nothing changes, and the run says so', async () => {
    const { stack, s3, sfn, audit } = own;
    const bucket = uniqueName('to-prod-unanswered');
    await createBucketWithPolicy(s3, bucket);
    const executionArn = await startExecution(sfn, stack.stateMachineArn, accessAnalyzerEvent(bucket), 'expire');
    const result = await runToEnd(sfn, executionArn);

    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).toEqual(['Classify Finding', 'Route?', 'Request Approval', 'Record And Notify', 'Done']);
    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));
    expect(await audit.getOutcome(name(executionArn))).toMatchObject({ outcome: 'APPROVAL_EXPIRED' });
  });

  it('escalates to the next level when on-call does not answer', async () => {
    const { stack, s3, sfn, audit } = own;
    const bucket = uniqueName('to-drift-unanswered');
    await createBucketWithPolicy(s3, bucket);
    const executionArn = await startExecution(sfn, stack.stateMachineArn, accessAnalyzerEvent(bucket), 'next-level');
    await runUntilState(sfn, executionArn, 'Wait For Rescan');
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicReadPolicy(bucket) }));
    const result = await runToEnd(sfn, executionArn);

    expect(result.status).toBe('SUCCEEDED');
    expect(path(result).slice(-5)).toEqual(['Resolved?', 'Escalate To On-Call', 'Escalate To Next Level', 'Record Outcome', 'Done']);
    expect(await audit.getOutcome(name(executionArn))).toMatchObject({ outcome: 'ESCALATED' });
    const toLeads = (await fetchRecordedSlackCalls(stack.slack.url)).filter(
      (c) => c.method === 'chat.postMessage' && c.args.channel === '#security-leads' && JSON.stringify(c.args).includes(bucket),
    );
    expect(toLeads).toHaveLength(1);
  });
});
