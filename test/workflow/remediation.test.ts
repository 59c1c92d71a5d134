import { AwsClients } from '../../lib/aws/clients';
/**
 * The ASL itself, executed by the emulator's Step Functions, with our real
 * handlers behind its Lambda tasks: the paths a finding can take.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { executionName } from '../../lib/workflow/types';
import { SLACK_BUTTONS } from '../../lib/escalation/messages';
import { CreateKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { accessAnalyzerEvent, accessAnalyzerEventFor, createBucketWithPolicy, crossAccountKeyPolicy, publicReadPolicy, uniqueName } from '../../local/fixtures';
import { clickSlackButton } from '../../local/slack-click';
import { fetchRecordedSlackCalls } from '../../local/slack-stand-in';
import { useLocalStack } from '../support/emulator';
import { buttonValueFor, livePolicy, livePublicAccessBlock, path, runToEnd, runUntilState, startExecution } from './helpers';

const stack = useLocalStack();
const s3 = new S3Client(stack.clientConfig);
const sfn = new SFNClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));

describe('the automatic path', () => {
  let bucket: string;
  let original: string;
  let result: Awaited<ReturnType<typeof runToEnd>>;
  let executionArn: string;

  beforeAll(async () => {
    bucket = uniqueName('wf-public-assets');
    original = publicReadPolicy(bucket);
    await createBucketWithPolicy(s3, bucket, original);
    executionArn = await startExecution(sfn, stack.stateMachineArn, accessAnalyzerEvent(bucket), 'auto');
    result = await runToEnd(sfn, executionArn);
  });

  it('goes classify → fix → wait → verify → record and notify, and succeeds: 8 states, 4 invocations, the write second', () => {
    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).toEqual([
      'Classify Finding',
      'Route?',
      'Apply Corrective Control',
      'Wait For Rescan',
      'Check Resolution',
      'Resolved?',
      'Record And Notify',
      'Done',
    ]);
    const invoked = result.history.filter((e) => e.type === 'LambdaFunctionScheduled' || e.type === 'TaskScheduled');
    expect(invoked).toHaveLength(4);
  });

  it('leaves the bucket with a deny-all policy that exempts the remediation and break-glass roles', async () => {
    const policy = JSON.parse((await livePolicy(s3, bucket)) ?? 'null');
    expect(policy.Statement).toHaveLength(1);
    const [statement] = policy.Statement;
    expect(statement).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*' });
    expect(statement.Resource).toEqual(expect.arrayContaining([`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]));
    expect(statement.Condition.ArnNotLike['aws:PrincipalArn']).toEqual(
      expect.arrayContaining([stack.remediationRoleArn, `arn:aws:iam::${stack.accountId}:role/BreakGlassAdmin`]),
    );
  });

  it('turns on every Block Public Access setting of the bucket', async () => {
    expect(await livePublicAccessBlock(s3, bucket)).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it('keeps the original policy, byte for byte, in the change record', async () => {
    const change = await audit.getChange(executionName(executionArn));
    expect(change).toMatchObject({ status: 'APPLIED', actor: 'auto', controlId: 's3-deny-all-bucket-policy', resourceArn: `arn:aws:s3:::${bucket}` });
    expect(change!.before.policy).toBe(original);
    expect(change!.before.publicAccessBlock).toBeNull();
  });

  it('records the outcome and tells Slack the finding is resolved', async () => {
    expect(await audit.getOutcome(executionName(executionArn))).toMatchObject({ outcome: 'RESOLVED', changeId: executionName(executionArn) });
    const calls = await fetchRecordedSlackCalls(stack.slackUrl);
    const notice = calls.find((c) => c.method === 'chat.postMessage' && String(c.args.text).startsWith('RESOLVED') && String(c.args.text).includes(bucket));
    expect(notice?.token).toBe(stack.botToken);
  });
});

describe('the approval path', () => {
  it('waits for Approve in Slack, then fixes and verifies, with the approver as the actor', async () => {
    const bucket = uniqueName('wf-prod-reports');
    await createBucketWithPolicy(s3, bucket);
    const executionArn = await startExecution(sfn, stack.stateMachineArn, accessAnalyzerEvent(bucket), 'approve');
    await runUntilState(sfn, executionArn, 'Request Approval');
    const { value } = await buttonValueFor(stack.slackUrl, `arn:aws:s3:::${bucket}`);

    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));
    const click = await clickSlackButton({ interactionsUrl: stack.interactionsUrl, signingSecret: stack.signingSecret, userId: 'U0APPROVER', actionId: SLACK_BUTTONS.approve, value });
    expect(click.status).toBe(200);

    const result = await runToEnd(sfn, executionArn);
    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).toEqual([
      'Classify Finding',
      'Route?',
      'Request Approval',
      'Approved?',
      'Apply Corrective Control',
      'Wait For Rescan',
      'Check Resolution',
      'Resolved?',
      'Record And Notify',
      'Done',
    ]);
    expect(JSON.parse((await livePolicy(s3, bucket))!).Statement[0].Effect).toBe('Deny');
    expect((await audit.getChange(executionName(executionArn)))?.actor).toBe('slack:U0APPROVER');
    const updates = (await fetchRecordedSlackCalls(stack.slackUrl)).filter((c) => c.method === 'chat.update' && JSON.stringify(c.args).includes('U0APPROVER'));
    expect(updates.length).toBeGreaterThan(0);
  });

  it('changes nothing when the change is rejected in Slack', async () => {
    const bucket = uniqueName('wf-prod-ledger');
    await createBucketWithPolicy(s3, bucket);
    const executionArn = await startExecution(sfn, stack.stateMachineArn, accessAnalyzerEvent(bucket), 'reject');
    await runUntilState(sfn, executionArn, 'Request Approval');
    const { value } = await buttonValueFor(stack.slackUrl, `arn:aws:s3:::${bucket}`);

    const click = await clickSlackButton({ interactionsUrl: stack.interactionsUrl, signingSecret: stack.signingSecret, userId: 'U0SKEPTIC', actionId: SLACK_BUTTONS.reject, value });
    expect(click.status).toBe(200);
    const result = await runToEnd(sfn, executionArn);

    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).toEqual(['Classify Finding', 'Route?', 'Request Approval', 'Record And Notify', 'Done']);
    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));
    expect(await livePublicAccessBlock(s3, bucket)).toBeNull();
    expect(await audit.getChange(executionName(executionArn))).toBeUndefined();
    // Who rejected travels in the task failure's Cause to the outcome (moto kept no Cause before local/moto_launcher.py's patch 7).
    expect(await audit.getOutcome(executionName(executionArn))).toMatchObject({ outcome: 'REJECTED', headline: `Change to arn:aws:s3:::${bucket} rejected (by <@U0SKEPTIC>)` });
  });

  it('answers a forged or replayed click 401 and leaves the execution waiting', async () => {
    const bucket = uniqueName('wf-prod-forged');
    await createBucketWithPolicy(s3, bucket);
    const executionArn = await startExecution(sfn, stack.stateMachineArn, accessAnalyzerEvent(bucket), 'forged');
    await runUntilState(sfn, executionArn, 'Request Approval');
    const { value } = await buttonValueFor(stack.slackUrl, `arn:aws:s3:::${bucket}`);
    const base = { interactionsUrl: stack.interactionsUrl, signingSecret: stack.signingSecret, userId: 'U0MALLORY', actionId: SLACK_BUTTONS.approve, value };

    expect((await clickSlackButton({ ...base, signWith: 'guessed-secret' })).status).toBe(401);
    expect((await clickSlackButton({ ...base, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect((await clickSlackButton({ ...base, tamper: (body) => body.replace('U0MALLORY', 'U0APPROVER') })).status).toBe(401);

    const still = await runUntilState(sfn, executionArn, 'Request Approval');
    expect(still.status).toBe('RUNNING');
    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));
    // The genuine decision still works afterwards, exactly once.
    expect((await clickSlackButton({ ...base, userId: 'U0APPROVER', actionId: SLACK_BUTTONS.reject })).status).toBe(200);
    expect((await clickSlackButton({ ...base, userId: 'U0APPROVER', actionId: SLACK_BUTTONS.reject })).status).toBe(409);
    expect((await runToEnd(sfn, executionArn)).status).toBe('SUCCEEDED');
  });
});

describe('failures', () => {
  it('catches a control that cannot run into Record And Notify Failure and fails with its named error', async () => {
    const bucket = uniqueName('wf-missing-bucket');
    const executionArn = await startExecution(sfn, stack.stateMachineArn, accessAnalyzerEvent(bucket), 'broken');
    const result = await runToEnd(sfn, executionArn);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ResourceNotFoundError');
    expect(path(result)).toEqual(['Classify Finding', 'Route?', 'Apply Corrective Control', 'Record And Notify Failure', 'Remediation Failed']);
    expect(await audit.getOutcome(executionName(executionArn))).toMatchObject({ outcome: 'FAILED', error: { name: 'ResourceNotFoundError' } });
  });

  it.each([
    ['a string that is not JSON', 'InvalidEventError', '"{not json"'],
    ['an event without detail', 'InvalidEventError', { ...accessAnalyzerEvent('wf-bad'), detail: undefined }],
    ['an event from an unknown source', 'UnsupportedEventError', { ...accessAnalyzerEvent('wf-bad'), source: 'aws.unknown-service' }],
    ['an unknown resource type', 'UnsupportedEventError', (() => { const e = accessAnalyzerEvent('wf-bad'); (e.detail as Record<string, unknown>).resourceType = 'AWS::Made::Up'; return e; })()],
  ])('rejects %s with %s, records it and writes nothing', async (_what, errorName, input) => {
    const executionArn = await startExecution(sfn, stack.stateMachineArn, input, 'bad-input');
    const result = await runToEnd(sfn, executionArn);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(errorName);
    expect(result.cause).toMatch(/\w+/);
    expect(path(result)).toEqual(['Classify Finding', 'Reject Input', 'Record And Notify Failure', 'Remediation Failed']);
    expect(await audit.getOutcome(executionName(executionArn))).toMatchObject({ outcome: 'FAILED', error: { name: errorName } });
  });

  it('acts once when EventBridge delivers the same finding twice', async () => {
    const bucket = uniqueName('wf-duplicate');
    await createBucketWithPolicy(s3, bucket);
    const event = accessAnalyzerEvent(bucket);
    const first = await runToEnd(sfn, await startExecution(sfn, stack.stateMachineArn, event, 'dup-1'));
    const secondArn = await startExecution(sfn, stack.stateMachineArn, { ...event, id: 'another-delivery' }, 'dup-2');
    const second = await runToEnd(sfn, secondArn);

    expect(path(first)).toContain('Apply Corrective Control');
    expect(path(second)).toEqual(['Classify Finding', 'Route?', 'Record Outcome', 'Done']);
    expect(await audit.getOutcome(executionName(secondArn))).toMatchObject({ outcome: 'IGNORED' });
  });
});

describe('a Security Hub event with several findings', () => {
  it('starts one execution per good finding, named after it, and records the one it could not read', async () => {
    const event = JSON.parse(readFileSync('events/security-hub/mixed-batch-one-bad.json', 'utf8'));
    event.id = uniqueName('sh-event');
    const parentArn = await startExecution(sfn, stack.stateMachineArn, event, 'batch');
    const parent = await runToEnd(sfn, parentArn);

    expect(parent.status).toBe('SUCCEEDED');
    expect(path(parent).filter((s) => !['Start Finding Workflow', 'Already Started', 'Could Not Start'].includes(s))).toEqual([
      'Classify Finding',
      'Route?',
      'Start Finding Workflows',
      'Record Outcome',
      'Done',
    ]);
    const outcome = await audit.getOutcome(executionName(parentArn));
    expect(outcome).toMatchObject({ outcome: 'FANNED_OUT', startedFindings: 2 });
    expect(outcome?.rejected).toEqual([expect.objectContaining({ errorName: 'InvalidEventError' })]);

    const children = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArn, maxResults: 1000 }))).executions ?? [];
    const started = (parent.output as { batch: { started: { executionArn: string }[] } }).batch.started.map((s) => s.executionArn);
    expect(started).toHaveLength(2);
    for (const arn of started) {
      expect(arn).toMatch(/:f-[0-9a-f]{64}$/);
      expect(children.map((c) => c.executionArn)).toContain(arn);
      const input = JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).input ?? '{}');
      expect(input).toMatchObject({ remediator: 'finding', finding: { source: 'security-hub' } });
    }
  });

  it('starts nothing new when the same Security Hub event is delivered again', async () => {
    const event = JSON.parse(readFileSync('events/security-hub/mixed-batch.json', 'utf8'));
    // A fresh version of each finding, so that this test does not meet executions of earlier runs.
    const now = new Date().toISOString();
    for (const finding of event.detail.findings) finding.UpdatedAt = now;
    const first = await runToEnd(sfn, await startExecution(sfn, stack.stateMachineArn, event, 'batch-a'));
    const second = await runToEnd(sfn, await startExecution(sfn, stack.stateMachineArn, event, 'batch-b'));
    type Started = { executionArn?: string; duplicate?: boolean; error?: unknown };
    const startedFirst = (first.output as { batch: { started: Started[] } }).batch.started;
    const startedSecond = (second.output as { batch: { started: Started[] } }).batch.started;
    expect(startedFirst).toHaveLength(3);
    expect(startedFirst.every((s) => s.executionArn)).toBe(true);
    // Step Functions answers a repeated name either with the same execution (still running, same input)
    // or ExecutionAlreadyExists (finished): never a new one.
    const firstArns = new Set(startedFirst.map((s) => s.executionArn));
    for (const s of startedSecond) {
      expect(s.error).toBeUndefined();
      if (!s.duplicate) expect(firstArns.has(s.executionArn)).toBe(true);
    }
  });
});

describe('a KMS key shared with another account', () => {
  it('is narrowed with the minimal fix: the external account goes, the rest of the key policy stays', async () => {
    const kms = new KMSClient(stack.clientConfig);
    const original = crossAccountKeyPolicy(stack.accountId);
    const keyArn = (await kms.send(new CreateKeyCommand({ Policy: original }))).KeyMetadata!.Arn!;
    const event = accessAnalyzerEventFor(keyArn, 'AWS::KMS::Key', { isPublic: false, principal: { AWS: '444455556666' } });
    const executionArn = await startExecution(sfn, stack.stateMachineArn, event, 'kms');
    const result = await runToEnd(sfn, executionArn);

    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).toContain('Record And Notify');
    expect(await audit.getOutcome(executionName(executionArn))).toMatchObject({ outcome: 'RESOLVED' });
    const live = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }))).Policy!);
    expect(JSON.stringify(live)).not.toContain('444455556666');
    expect(live.Statement).toHaveLength(2);
    const change = await audit.getChange(executionName(executionArn));
    expect(change).toMatchObject({ controlId: 'kms-remove-external-statements', status: 'APPLIED' });
    expect(change!.before.policy).toBe(original);
  });
});

describe('a finding the source resolves while a human is being asked', () => {
  function configEvent(file: string, bucket: string): Record<string, unknown> {
    const text = readFileSync(`events/config/${file}.json`, 'utf8').replaceAll('remediator-demo-public-assets', bucket);
    const event = JSON.parse(text);
    event.id = uniqueName('config-event');
    return event;
  }

  it('ends the waiting approval when Config reports the bucket COMPLIANT, and changes nothing', async () => {
    const bucket = uniqueName('wf-prod-fixed-by-hand');
    await createBucketWithPolicy(s3, bucket);
    const waitingArn = await startExecution(sfn, stack.stateMachineArn, configEvent('s3-bucket-public-read-noncompliant', bucket), 'config-open');
    await runUntilState(sfn, waitingArn, 'Request Approval');
    await buttonValueFor(stack.slackUrl, `arn:aws:s3:::${bucket}`);

    const closingArn = await startExecution(sfn, stack.stateMachineArn, configEvent('s3-bucket-public-read-compliant', bucket), 'config-closed');
    const closing = await runToEnd(sfn, closingArn);
    const waiting = await runToEnd(sfn, waitingArn);

    expect(path(closing)).toEqual(['Classify Finding', 'Route?', 'Close Open Remediations', 'Record Outcome', 'Done']);
    expect((closing.output as { closed: string[] }).closed).toHaveLength(1);
    expect(path(waiting)).toEqual(['Classify Finding', 'Route?', 'Request Approval', 'Record And Notify', 'Done']);
    expect(await audit.getOutcome(executionName(waitingArn))).toMatchObject({ outcome: 'ALREADY_RESOLVED' });
    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));
  });
});
