/**
 * A fix that does not take: something (an IaC pipeline, a colleague) puts the
 * public policy back while the workflow waits for the rescan. Check Resolution
 * sees it on the live bucket, tries again, then asks on-call in Slack.
 */
import { DeletePublicAccessBlockCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { SLACK_BUTTONS } from '../../lib/escalation/messages';
import { executionName } from '../../lib/workflow/types';
import { accessAnalyzerEvent, createBucketWithPolicy, publicReadPolicy, uniqueName } from '../../local/fixtures';
import { clickSlackButton } from '../../local/slack-click';
import { useOwnLocalStack } from '../support/own-stack';
import { buttonValueFor, livePolicy, path, runToEnd, runUntilState, startExecution } from './helpers';

// A stack of this file's own, whose rescan wait leaves time to re-open the bucket before the check, even on a busy machine.
const own = useOwnLocalStack({ rescanWaitSeconds: 3 });

async function reopen(bucket: string): Promise<void> {
  const { s3 } = own;
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicReadPolicy(bucket) }));
}

async function escalatedBucket(prefix: string): Promise<{ bucket: string; executionArn: string; button: (action: string) => Promise<string> }> {
  const { stack, s3, sfn } = own;
  const bucket = uniqueName(prefix);
  await createBucketWithPolicy(s3, bucket);
  const executionArn = await startExecution(sfn, stack.stateMachineArn, accessAnalyzerEvent(bucket), prefix);
  await runUntilState(sfn, executionArn, 'Wait For Rescan');
  await reopen(bucket);
  await runUntilState(sfn, executionArn, 'Escalate To On-Call');
  return { bucket, executionArn, button: async (action) => (await buttonValueFor(stack.slack.url, `arn:aws:s3:::${bucket}`, action)).value };
}

describe('when the fix does not take', () => {
  it('checks again, escalates to on-call, and rolls the change back when on-call asks', async () => {
    const { stack, s3, sfn, audit } = own;
    const { bucket, executionArn, button } = await escalatedBucket('wf-drift-rollback');
    const value = await button(SLACK_BUTTONS.rollback);
    const click = await clickSlackButton({ interactionsUrl: stack.interactionsUrl, signingSecret: stack.slack.signingSecret, userId: 'U0ONCALL', actionId: SLACK_BUTTONS.rollback, value });
    expect(click.status).toBe(200);
    const result = await runToEnd(sfn, executionArn);

    expect(result.status).toBe('SUCCEEDED');
    const states = path(result);
    expect(states.filter((s) => s === 'Check Resolution')).toHaveLength(3);
    expect(states.slice(-6)).toEqual(['Resolved?', 'Escalate To On-Call', 'Roll Back Requested?', 'Roll Back Change', 'Record And Notify', 'Done']);
    const change = await audit.getChange(executionName(executionArn));
    expect(change).toMatchObject({ status: 'ROLLED_BACK', rolledBackBy: 'slack:U0ONCALL' });
    // What the rollback overwrote, the policy that had drifted back in, was saved before it wrote.
    expect(change!.rollbackOverwrote).toEqual({ policy: publicReadPolicy(bucket), publicAccessBlock: null });
    expect(await livePolicy(s3, bucket)).toBe(change!.before.policy);
    expect(await audit.getOutcome(executionName(executionArn))).toMatchObject({ outcome: 'ROLLED_BACK' });
  });

  it('ends acknowledged, changing nothing more, when on-call acknowledges', async () => {
    const { stack, s3, sfn, audit } = own;
    const { bucket, executionArn, button } = await escalatedBucket('wf-drift-ack');
    const value = await button(SLACK_BUTTONS.acknowledge);
    const click = await clickSlackButton({ interactionsUrl: stack.interactionsUrl, signingSecret: stack.slack.signingSecret, userId: 'U0ONCALL', actionId: SLACK_BUTTONS.acknowledge, value });
    expect(click.status).toBe(200);
    const result = await runToEnd(sfn, executionArn);

    expect(path(result).slice(-4)).toEqual(['Escalate To On-Call', 'Roll Back Requested?', 'Record And Notify', 'Done']);
    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));
    expect(await audit.getOutcome(executionName(executionArn))).toMatchObject({ outcome: 'ACKNOWLEDGED' });
  });
});
