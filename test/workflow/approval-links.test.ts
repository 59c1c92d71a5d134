/**
 * The SNS fallback end to end on a local stack without Slack: Request Approval (a real Lambda task in
 * moto's Step Functions) publishes the request with signed links to a real SNS topic (read back through
 * an SQS subscription); the test follows the link it received — GET for the confirmation page, then its
 * form's POST — through the local function host's HTTP endpoint (GET/POST /approvals/{approvalId}/{action},
 * as serverless.yml routes them to the interaction function), and the waiting execution resumes.
 */
import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { executionName } from '../../lib/workflow/types';
import { accessAnalyzerEvent, createBucketWithPolicy, publicReadPolicy, uniqueName } from '../../local/fixtures';
import { fetchRecordedSlackCalls } from '../../local/slack-stand-in';
import { useOwnLocalStack } from '../support/own-stack';
import { receiveMatching } from '../support/task-token';
import { livePolicy, path, runToEnd, runUntilState, startExecution } from './helpers';

// The stack's function host runs in this worker and reads its settings from this process's environment.
// Its rules name a Slack channel, but the stack has no Slack secret: requests and outcomes go to the approval topic.
const own = useOwnLocalStack({ rulesFile: 'test/fixtures/rules/links-only.yaml', rescanWaitSeconds: 1 });
let inboxUrl = '';

beforeAll(async () => {
  const { clientConfig } = own.stack;
  const sns = new SNSClient(clientConfig);
  const sqs = new SQSClient(clientConfig);
  const secretId = uniqueName('remediator/approval-links');
  await new SecretsManagerClient(clientConfig).send(new CreateSecretCommand({ Name: secretId, SecretString: JSON.stringify({ signingKey: randomBytes(32).toString('hex') }) }));
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('approvals') }))).TopicArn ?? '';
  inboxUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('approver-inbox') }))).QueueUrl ?? '';
  const inboxArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inboxUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: inboxArn, Attributes: { RawMessageDelivery: 'true' } }));

  // As serverless.yml deploys it with --param="slackSecretId=": no Slack, an approval topic, links served by the HTTP API.
  delete process.env.REMEDIATOR_SLACK_SECRET_ID;
  Object.assign(process.env, {
    REMEDIATOR_APPROVAL_TOPIC_ARN: topicArn,
    REMEDIATOR_APPROVAL_LINK_BASE_URL: own.stack.functionHost.url,
    REMEDIATOR_APPROVAL_LINK_SECRET_ID: secretId,
  });
});

/** A production bucket (the rules ask a human first), its execution waiting in Request Approval, and the links it sent. */
async function waitingForApproval(prefix: string): Promise<{ bucket: string; executionArn: string; message: string; link: Record<'approve' | 'reject', string> }> {
  const bucket = uniqueName(`wf-prod-${prefix}`);
  await createBucketWithPolicy(own.s3, bucket);
  const executionArn = await startExecution(own.sfn, own.stack.stateMachineArn, accessAnalyzerEvent(bucket), prefix);
  await runUntilState(own.sfn, executionArn, 'Request Approval');
  const message = await receiveMatching(new SQSClient(own.stack.clientConfig), inboxUrl, (body) => body.includes(`arn:aws:s3:::${bucket}`));
  const linkOf = (label: string) => new RegExp(`^${label}: (\\S+)$`, 'm').exec(message)?.[1] ?? '';
  return { bucket, executionArn, message, link: { approve: linkOf('Approve'), reject: linkOf('Reject') } };
}

/** What an approver's browser does: open the link (a page, nothing decided), then submit its form. */
async function follow(link: string): Promise<{ page: Response; pageHtml: string; decided: Response; decidedHtml: string }> {
  const page = await fetch(link);
  const pageHtml = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(pageHtml)?.[1]?.replaceAll('&amp;', '&') ?? '';
  const decided = await fetch(new URL(action, link), { method: 'POST' });
  return { page, pageHtml, decided, decidedHtml: await decided.text() };
}

describe('approval links through the local function host (no Slack)', () => {
  it('Approve: the emailed link resumes the waiting execution, which fixes the bucket with the link as the actor', async () => {
    const slackCallsBefore = (await fetchRecordedSlackCalls(own.stack.slack.url)).length;
    const waiting = await waitingForApproval('link-approve');
    expect(waiting.link.approve.startsWith(`${own.stack.functionHost.url}/approvals/apr_`)).toBe(true);
    const approvalId = /\/approvals\/(apr_[0-9a-f]{32})\//.exec(waiting.link.approve)?.[1] ?? '';

    const { page, pageHtml, decided, decidedHtml } = await follow(waiting.link.approve);
    expect(page.status).toBe(200);
    expect(pageHtml).toContain(`arn:aws:s3:::${waiting.bucket}`);
    expect(decided.status).toBe(200);
    expect(decidedHtml).toContain(`APPROVED</strong> by link:${approvalId}`);

    const result = await runToEnd(own.sfn, waiting.executionArn);
    expect(result.status, `${result.error ?? ''}: ${result.cause ?? ''}`).toBe('SUCCEEDED');
    expect(path(result)).toEqual(['Classify Finding', 'Route?', 'Request Approval', 'Approved?', 'Apply Corrective Control', 'Wait For Rescan', 'Check Resolution', 'Resolved?', 'Record And Notify', 'Done']);
    expect(JSON.parse((await livePolicy(own.s3, waiting.bucket)) ?? 'null').Statement[0].Effect).toBe('Deny');
    // The change names the link as who decided (not as a Slack user).
    expect((await own.audit.getChange(executionName(waiting.executionArn)))?.actor).toBe(`link:${approvalId}`);
    // The outcome goes to the topic too, and nothing to Slack although the route names a channel.
    const outcome = await receiveMatching(new SQSClient(own.stack.clientConfig), inboxUrl, (body) => body.startsWith('RESOLVED:') && body.includes(`arn:aws:s3:::${waiting.bucket}`));
    expect(outcome).toContain(`by link:${approvalId}`);
    expect(outcome).toContain(`Execution: ${waiting.executionArn}`);
    expect((await fetchRecordedSlackCalls(own.stack.slack.url)).length).toBe(slackCallsBefore);

    const replay = await fetch(waiting.link.approve, { method: 'POST' });
    expect(replay.status).toBe(409);
  });

  it('Reject: the execution goes to Record And Notify and the bucket keeps its policy; a forged link changes nothing', async () => {
    const waiting = await waitingForApproval('link-reject');
    const forged = waiting.link.approve.replace(/sig=([0-9a-f])/, (_, first: string) => `sig=${first === '0' ? '1' : '0'}`);
    expect((await fetch(forged, { method: 'POST' })).status).toBe(401);
    expect((await runUntilState(own.sfn, waiting.executionArn, 'Request Approval')).status).toBe('RUNNING');

    const { decided } = await follow(waiting.link.reject);
    expect(decided.status).toBe(200);
    const result = await runToEnd(own.sfn, waiting.executionArn);
    expect(result.status, `${result.error ?? ''}: ${result.cause ?? ''}`).toBe('SUCCEEDED');
    expect(path(result)).toEqual(['Classify Finding', 'Route?', 'Request Approval', 'Record And Notify', 'Done']);
    expect(await livePolicy(own.s3, waiting.bucket)).toBe(publicReadPolicy(waiting.bucket));
    const outcome = await receiveMatching(new SQSClient(own.stack.clientConfig), inboxUrl, (body) => body.startsWith('REJECTED:') && body.includes(`arn:aws:s3:::${waiting.bucket}`));
    expect(outcome).toContain('by link:');
  });
});
