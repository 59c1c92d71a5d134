/**
 * The blast-radius cap through the ASL: an automatic change that would cut off more
 * identities than the rule's maxPrincipalsRemoved writes nothing and goes to Request
 * Approval (Ask First); one within the cap is written straight away.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../lib/aws/clients';
import { AuditStore } from '../../lib/audit/store';
import { SLACK_BUTTONS } from '../../lib/escalation/messages';
import { executionName } from '../../lib/workflow/types';
import { accessAnalyzerEvent, createBucketWithPolicy, publicReadPolicy, uniqueName } from '../../local/fixtures';
import { clickSlackButton } from '../../local/slack-click';
import { useLocalStack } from '../support/emulator';
import { buttonValueFor, livePolicy, path, runToEnd, runUntilState, startExecution } from './helpers';

const stack = useLocalStack();
const s3 = new S3Client(stack.clientConfig);
const sfn = new SFNClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));

describe('the blast-radius cap (rule shared-buckets-capped: at most 2 identities cut off without a human)', () => {
  it('asks first when the fix would cut off the public, a partner and everyone else, and writes the approved plan after Approve', async () => {
    const bucket = uniqueName('wf-shared-wide');
    const original = publicReadPolicy(bucket);
    await createBucketWithPolicy(s3, bucket, original);
    const executionArn = await startExecution(sfn, stack.stateMachineArn, accessAnalyzerEvent(bucket), 'cap');
    const waiting = await runUntilState(sfn, executionArn, 'Request Approval');
    expect(path(waiting)).toEqual(expect.arrayContaining(['Apply Corrective Control', 'Ask First', 'Request Approval']));
    expect(await livePolicy(s3, bucket)).toBe(original);
    expect(await audit.getChange(executionName(executionArn))).toBeUndefined();

    const { value } = await buttonValueFor(stack.slackUrl, `arn:aws:s3:::${bucket}`);
    const click = await clickSlackButton({ interactionsUrl: stack.interactionsUrl, signingSecret: stack.signingSecret, userId: 'U0APPROVER', actionId: SLACK_BUTTONS.approve, value });
    expect(click.status).toBe(200);
    const result = await runToEnd(sfn, executionArn);
    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).toEqual([
      'Classify Finding',
      'Route?',
      'Apply Corrective Control',
      'Ask First',
      'Request Approval',
      'Approved?',
      'Apply Corrective Control',
      'Wait For Rescan',
      'Check Resolution',
      'Resolved?',
      'Record And Notify',
      'Done',
    ]);
    expect(result.output).toMatchObject({ approvalRequired: { Error: 'ApprovalRequiredError', Cause: expect.stringContaining('would cut off 3 identities') } });
    expect(await audit.getChange(executionName(executionArn))).toMatchObject({ status: 'APPLIED', actor: 'slack:U0APPROVER' });
    expect(JSON.parse((await livePolicy(s3, bucket))!).Statement[0].Effect).toBe('Deny');
  });

  it('writes without asking when the fix cuts off no more than the cap', async () => {
    const bucket = uniqueName('wf-shared-narrow');
    const onePartner = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
    });
    await createBucketWithPolicy(s3, bucket, onePartner);
    const executionArn = await startExecution(sfn, stack.stateMachineArn, accessAnalyzerEvent(bucket), 'cap');
    const result = await runToEnd(sfn, executionArn);
    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).not.toContain('Request Approval');
    expect(await audit.getChange(executionName(executionArn))).toMatchObject({ status: 'APPLIED', actor: 'auto' });
  });
});
