/**
 * The SNS fallback end to end against the emulator: Request Approval (Slack not configured) plans
 * from a real bucket, stores the approval, publishes the request with signed links to a real SNS
 * topic (read back through an SQS subscription); the links are served by the interaction
 * endpoint's handler (an API Gateway HTTP API event), which resumes a real Step Functions task
 * token (a `.waitForTaskToken` task in moto's Step Functions) exactly once.
 */
import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/slack-interaction/handler';
import { AwsClients } from '../../lib/aws/clients';
import { approvalLink } from '../../lib/escalation/approval-link';
import { ApprovalStore } from '../../lib/escalation/approval-store';
import { SLACK_BUTTONS } from '../../lib/escalation/messages';
import { FindingSchema } from '../../lib/finding';
import { RulesFileSchema } from '../../lib/rules/schema';
import type { LinkDelivery } from '../../lib/workflow/ask-human';
import { escalateToNextLevel } from '../../lib/workflow/escalate-to-next-level';
import { requestApproval } from '../../lib/workflow/request-approval';
import { handleSlackInteraction } from '../../lib/workflow/slack-interaction';
import { createBucketWithPolicy, uniqueName } from '../../local/fixtures';
import { LOCAL_SLACK_APP, LOCAL_SLACK_TEAM, interactionBody, signSlackBody } from '../../local/slack-click';
import { decision as decisionOf } from '../support/decision';
import { pendingApprovalItem } from '../support/approvals';
import { useLocalStack } from '../support/emulator';
import { receiveMatching, taskTokens, type TaskTokens } from '../support/task-token';

const stack = useLocalStack();
const clients = new AwsClients(stack.clientConfig);
const approvals = new ApprovalStore(stack.approvalsTable, clients);
const sfn = clients.get(SFNClient);
const sqs = clients.get(SQSClient);
const sns = clients.get(SNSClient);
const s3 = new S3Client(stack.clientConfig);
const BASE_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com';
const CONTROL = 's3-remove-external-statements';
const signingKey = randomBytes(32).toString('hex');

const rules = RulesFileSchema.parse({
  version: 1,
  defaults: { rescan: { waitSeconds: 0, maxAttempts: 1 }, approval: { timeoutSeconds: 600 }, escalation: { timeoutSeconds: 600 } },
  routes: { default: { approvers: ['U0LEAD'] } },
  rules: [{ id: 'default', filter: {}, mode: 'approve' }],
});

let topicArn = '';
let inboxUrl = '';
let tokens: TaskTokens;

beforeAll(async () => {
  const secretId = uniqueName('remediator/approval-links');
  await clients.get(SecretsManagerClient).send(new CreateSecretCommand({ Name: secretId, SecretString: JSON.stringify({ signingKey }) }));
  // As serverless.yml sets it on the interaction function: the handler reads the key from this secret.
  process.env.REMEDIATOR_APPROVAL_LINK_SECRET_ID = secretId;

  topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('approvals') }))).TopicArn ?? '';
  inboxUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('approval-inbox') }))).QueueUrl ?? '';
  const inboxArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inboxUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: inboxArn, Attributes: { RawMessageDelivery: 'true' } }));

  tokens = await taskTokens(sfn, sqs, stack.accountId);
});

const links = (): LinkDelivery => ({ topicArn, baseUrl: BASE_URL, signingKey: () => Promise.resolve(signingKey), sns: () => sns });

const receive = (queueUrl: string, match: (body: string) => boolean) => receiveMatching(sqs, queueUrl, match);

interface Waiting {
  bucket: string;
  executionArn: string;
  approvalId: string;
  email: string;
  link: Record<'approve' | 'reject', string>;
}

/** An execution waiting on its task token, and the approval request published for it. */
async function waitingForApproval(): Promise<Waiting> {
  const bucket = uniqueName('link-prod');
  await createBucketWithPolicy(s3, bucket);
  const { executionArn, taskToken } = await tokens.waiting();
  const finding = FindingSchema.parse({
    id: uniqueName('finding'),
    source: 'access-analyzer',
    type: 'ExternalAccess',
    status: 'ACTIVE',
    severity: 'HIGH',
    resource: { arn: `arn:aws:s3:::${bucket}`, type: 'AWS::S3::Bucket', accountId: stack.accountId, region: stack.region },
    exposure: { isPublic: true, principals: ['*'], actions: ['s3:GetObject'] },
    observedAt: '2026-12-01T08:00:00Z',
    raw: { eventId: 'e', source: 'aws.access-analyzer' },
  });
  const decision = decisionOf({ action: 'APPROVE', controlId: CONTROL, mode: 'approve', ruleId: 'default', reason: 'rule default', route: { approvers: ['U0LEAD'] } });
  const { approvalId } = await requestApproval(
    { state: { finding, decision }, execution: executionArn, taskToken },
    {
      rules,
      remediationRoleArn: stack.remediationRoleArn,
      clients,
      approvals,
      slack: () => Promise.reject(new Error('Slack is not configured in this test')),
      slackConfigured: false,
      links: links(),
    },
  );
  const email = await receive(inboxUrl, (body) => body.includes(approvalId));
  const linkOf = (action: string) => new RegExp(`^${action === 'approve' ? 'Approve' : 'Reject'}: (\\S+)$`, 'm').exec(email)?.[1] ?? '';
  return { bucket, executionArn, approvalId, email, link: { approve: linkOf('approve'), reject: linkOf('reject') } };
}

/** The link as API Gateway (HTTP API, payload v2) hands it to the interaction function. */
async function open(link: string, method: 'GET' | 'POST' = 'GET'): Promise<APIGatewayProxyStructuredResultV2> {
  const url = new URL(link);
  const event = {
    version: '2.0',
    routeKey: `${method} /approvals/{approvalId}/{action}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    queryStringParameters: Object.fromEntries(url.searchParams),
    headers: {},
    requestContext: { http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' }, requestId: 'r', routeKey: '', stage: '$default' },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const context = { functionName: 'slackInteraction', awsRequestId: 'r', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:slackInteraction', memoryLimitInMB: '256', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
  return (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
}

describe('approval links (the SNS fallback without Slack)', () => {
  it('publish the request to the approval topic: the finding, who could reach it, the diff, who loses access, and signed approve/reject links', async () => {
    const waiting = await waitingForApproval();
    expect(waiting.email).toContain(`Resource: arn:aws:s3:::${waiting.bucket} (AWS::S3::Bucket)`);
    expect(waiting.email).toContain('Since:    2026-12-01T08:00:00Z (first observed)');
    expect(waiting.email).toContain('  - anyone (public): s3:GetObject — policy statement PublicReadForWebsite');
    expect(waiting.email).toContain('  - 444455556666: s3:ListBucket — policy statement PartnerList');
    expect(waiting.email).toMatch(/--- policy \(before\)\n\+\+\+ policy \(after(: none)?\)\n@@ /);
    expect(waiting.email).toContain(`Full plan: remediate plan ${CONTROL} --resource arn:aws:s3:::${waiting.bucket}`);
    expect(waiting.link.approve).toMatch(new RegExp(`^${BASE_URL}/approvals/${waiting.approvalId}/approve\\?expires=\\d+&sig=[0-9a-f]{64}$`));
    expect(waiting.link.reject).toMatch(new RegExp(`^${BASE_URL}/approvals/${waiting.approvalId}/reject\\?`));
    const stored = await approvals.get(waiting.approvalId);
    expect(stored).toMatchObject({ status: 'PENDING', via: 'link', executionArn: waiting.executionArn });
    expect(stored?.plan?.summary).toBeTruthy();
  });

  it('show a confirmation page on GET and decide nothing (a mail scanner opening the link approves nothing)', async () => {
    const waiting = await waitingForApproval();
    const page = await open(waiting.link.approve, 'GET');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post"');
    expect(page.body).toContain(`arn:aws:s3:::${waiting.bucket}`);
    expect(page.headers).toMatchObject({ 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', 'cache-control': 'no-store' });
    expect((await approvals.get(waiting.approvalId))?.status).toBe('PENDING');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: waiting.executionArn }))).status).toBe('RUNNING');
  });

  it('refuse forged links with 401 and expired links with 403, resuming nothing', async () => {
    const waiting = await waitingForApproval();
    const url = new URL(waiting.link.approve);
    const sig = url.searchParams.get('sig') ?? '';
    const alteredSig = waiting.link.approve.replace(sig, `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
    const laterExpiry = waiting.link.approve.replace(/expires=\d+/, `expires=${Number(url.searchParams.get('expires')) + 3600}`);
    const otherKey = approvalLink(BASE_URL, { approvalId: waiting.approvalId, action: 'approve', expires: Number(url.searchParams.get('expires')) }, randomBytes(32).toString('hex'));
    const rejectWithApproveSig = waiting.link.reject.replace(/sig=[0-9a-f]+/, `sig=${sig}`);
    for (const forged of [alteredSig, laterExpiry, otherKey, rejectWithApproveSig]) {
      const response = await open(forged, 'POST');
      expect(response.statusCode).toBe(401);
      expect(response.body).toContain('signature does not match');
    }
    const expired = approvalLink(BASE_URL, { approvalId: waiting.approvalId, action: 'approve', expires: Math.floor(Date.now() / 1000) - 1 }, signingKey);
    const response = await open(expired, 'POST');
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('the link expired at');
    expect((await approvals.get(waiting.approvalId))?.status).toBe('PENDING');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: waiting.executionArn }))).status).toBe('RUNNING');
  });

  it('approve on POST: the task token is resumed once with the plan, recorded as link:<approval id>; replays and the other answer get 409', async () => {
    const waiting = await waitingForApproval();
    const approved = await open(waiting.link.approve, 'POST');
    expect(approved.statusCode).toBe(200);
    expect(approved.body).toContain(`APPROVED</strong> by link:${waiting.approvalId}`);

    const done = await tokens.finished(waiting.executionArn);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output ?? '{}') as { outcome: string; decidedBy: string; plan?: { planHash: string } };
    expect(output).toMatchObject({ outcome: 'APPROVED', decidedBy: `link:${waiting.approvalId}` });
    expect(output.plan?.planHash).toBe((await approvals.get(waiting.approvalId))?.plan?.planHash);
    expect(await approvals.get(waiting.approvalId)).toMatchObject({ status: 'DECIDED', decision: 'APPROVED', decidedBy: `link:${waiting.approvalId}` });

    for (const [link, method] of [
      [waiting.link.approve, 'POST'],
      [waiting.link.reject, 'POST'],
      [waiting.link.approve, 'GET'],
    ] as const) {
      const replay = await open(link, method);
      expect(replay.statusCode).toBe(409);
      expect(replay.body).toContain('already decided: APPROVED by link:');
    }
  });

  it('reject on POST: the waiting task fails with ApprovalRejected', async () => {
    const waiting = await waitingForApproval();
    expect((await open(waiting.link.reject, 'POST')).statusCode).toBe(200);
    const done = await tokens.finished(waiting.executionArn);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('ApprovalRejected');
    expect((await approvals.get(waiting.approvalId))?.decision).toBe('REJECTED');
  });

  it('keep the two channels apart: a Slack click cannot answer a link approval, a link cannot answer a Slack approval', async () => {
    const waiting = await waitingForApproval();
    const timestamp = Math.floor(Date.now() / 1000);
    const rawBody = interactionBody({ userId: 'U0LEAD', actionId: SLACK_BUTTONS.approve, value: waiting.approvalId });
    const click = await handleSlackInteraction(
      { rawBody, headers: { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signSlackBody('slack-secret-of-this-test', timestamp, rawBody) } },
      { signingSecret: 'slack-secret-of-this-test', workspace: { teamId: LOCAL_SLACK_TEAM, appId: LOCAL_SLACK_APP }, approvals, sfn, slack: () => Promise.reject(new Error('no Slack')) },
    );
    expect(click.statusCode).toBe(403);
    expect(click.body).toContain('answered by its link');
    expect((await approvals.get(waiting.approvalId))?.status).toBe('PENDING');

    const slackApproval = pendingApprovalItem(stack.accountId, { approvers: ['U0LEAD'] });
    await approvals.put(slackApproval);
    const link = approvalLink(BASE_URL, { approvalId: slackApproval.approvalId, action: 'approve', expires: slackApproval.expiresAt }, signingKey);
    const response = await open(link, 'POST');
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('was sent to Slack: answer it there');
    expect((await approvals.get(slackApproval.approvalId))?.status).toBe('PENDING');
  });

  it('answer 409 to a link whose approval does not exist, and 400 to an answer of the wrong kind', async () => {
    const missing = approvalLink(BASE_URL, { approvalId: `apr_${'0'.repeat(32)}`, action: 'approve', expires: Math.floor(Date.now() / 1000) + 600 }, signingKey);
    expect((await open(missing, 'GET')).statusCode).toBe(409);
    const waiting = await waitingForApproval();
    const expires = Number(new URL(waiting.link.approve).searchParams.get('expires'));
    const rollback = approvalLink(BASE_URL, { approvalId: waiting.approvalId, action: 'rollback', expires }, signingKey);
    const response = await open(rollback, 'POST');
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('rollback is not an answer to an approval request');
    expect((await approvals.get(waiting.approvalId))?.status).toBe('PENDING');
  });

  it('tell the next level on the approval topic when on-call did not answer (no Slack)', async () => {
    const finding = FindingSchema.parse({
      id: uniqueName('finding'),
      source: 'config',
      type: 's3-bucket-public-read-prohibited',
      status: 'ACTIVE',
      severity: 'HIGH',
      resource: { arn: `arn:aws:s3:::${uniqueName('unanswered')}`, type: 'AWS::S3::Bucket', accountId: stack.accountId, region: stack.region },
      observedAt: '2026-12-01T08:00:00Z',
      raw: { eventId: 'e', source: 'aws.config' },
    });
    const decision = decisionOf({ controlId: CONTROL, ruleId: 'default', reason: 'rule default', route: { slackChannel: '#not-used-without-slack', approvers: ['U0LEAD'] } });
    const executionArn = `arn:aws:states:${stack.region}:${stack.accountId}:execution:m:${uniqueName('run')}`;
    const result = await escalateToNextLevel(
      { state: { finding, decision }, execution: executionArn },
      { slack: () => Promise.reject(new Error('Slack is not configured in this test')), slackConfigured: false, links: links() },
    );
    expect(result.escalation).toMatchObject({ nextLevel: true });
    const body = await receive(inboxUrl, (text) => text.includes(finding.resource.arn));
    expect(body).toMatch(/^ESCALATED: /);
    expect(body).toContain(`remediate status ${executionArn}`);
  });
});
