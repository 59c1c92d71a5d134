/**
 * A deployment without Slack (no Slack secret): Record And Notify tells the approval topic instead of posting to
 * the route's channel (which is then only a name in the rules file), and a decision taken through a signed link
 * is recorded as the link, not as a Slack user. SNS is mocked here; test/workflow/approval-links.test.ts runs
 * the same path against moto's SNS.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { outcomeEntry } from '../../../lib/audit/history';
import type { SlackApi } from '../../../lib/escalation/slack-api';
import { outcomeOf } from '../../../lib/outcome';
import { deciderActor, sessionOf } from '../../../lib/workflow/context';
import { notifyRoute } from '../../../lib/workflow/record-and-notify';
import type { DecidedState, RunState } from '../../../lib/workflow/state';
import { decision } from '../../support/decision';
import { finding } from '../../support/finding';

const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:remediator-prod-remediation:link-1';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:remediator-approvals';
const decided = decision({ mode: 'approve', ruleId: 'prod', reason: 'rule prod', route: { slackChannel: '#security-remediation', approvers: ['U1'] } });
const resolved = (decidedBy: string): DecidedState => ({
  finding: finding({ bucket: 'prod-reports' }),
  decision: decided,
  approval: { outcome: 'APPROVED', decidedBy },
  change: { status: 'REMEDIATED', changeId: 'link-1', summary: 's', reason: 'r', controlId: 's3-deny-all-bucket-policy' },
  verification: { status: 'RESOLVED', attempt: 1, attemptsLeft: 0, reason: 'closed' },
});

function slackThatMustNotBeCalled() {
  let calls = 0;
  const web = { chat: { postMessage: async () => (calls++, { ok: true }) } } as unknown as SlackApi;
  return { calls: () => calls, slack: async () => web };
}

describe('Record And Notify without Slack', () => {
  it('publishes the outcome as text to the approval topic, not to the route’s channel', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const slack = slackThatMustNotBeCalled();
    const state = await notifyRoute({ execution: EXECUTION, state: resolved('link:apr_0123') }, { slack: slack.slack, slackConfigured: false, topic: { topicArn: TOPIC, sns: () => new SNSClient({ region: 'us-east-1' }) } });
    expect(slack.calls()).toBe(0);
    expect(state.notification).toEqual({ outcome: 'RESOLVED', delivered: true, topicArn: TOPIC });
    const published = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(published.TopicArn).toBe(TOPIC);
    expect(published.Subject).toBe('RESOLVED: arn:aws:s3:::prod-reports');
    expect(published.Message).toMatch(/^RESOLVED: arn:aws:s3:::prod-reports remediated and verified \(by link:apr_0123\)\n/);
    expect(published.Message).toContain(`Execution: ${EXECUTION}`);
  });

  it('with no topic either, records that nothing was delivered and does not fail the run', async () => {
    const slack = slackThatMustNotBeCalled();
    const state = await notifyRoute({ execution: EXECUTION, state: resolved('U0LEAD') }, { slack: slack.slack, slackConfigured: false, topic: null });
    expect(slack.calls()).toBe(0);
    expect(state.notification).toEqual({ outcome: 'RESOLVED', delivered: false });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('a failed publish is a named, retriable error that says where it was going', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException', $metadata: { httpStatusCode: 429 } }));
    const failed = notifyRoute({ execution: EXECUTION, state: resolved('U0LEAD') }, { slack: slackThatMustNotBeCalled().slack, slackConfigured: false, topic: { topicArn: TOPIC, sns: () => new SNSClient({ region: 'us-east-1' }) } });
    await expect(failed).rejects.toThrow(new RegExp(`publishing the outcome of ${EXECUTION} to ${TOPIC}`));
    await expect(failed).rejects.toMatchObject({ name: 'TransientAwsError' });
  });

  it('with Slack configured, posts to the channel and leaves the topic alone', async () => {
    const posts: string[] = [];
    const web = { chat: { postMessage: async (m: { channel: string }) => (posts.push(m.channel), { ok: true, channel: 'C1', ts: '1.2' }) } } as unknown as SlackApi;
    const state = await notifyRoute({ execution: EXECUTION, state: resolved('U0LEAD') }, { slack: async () => web, topic: { topicArn: TOPIC, sns: () => new SNSClient({ region: 'us-east-1' }) } });
    expect(posts).toEqual(['#security-remediation']);
    expect(state.notification).toEqual({ outcome: 'RESOLVED', delivered: true, channel: 'C1', ts: '1.2' });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});

describe('who decided, when it was a signed link', () => {
  it('is recorded as the link; a Slack user as slack:<user>', () => {
    expect(deciderActor('link:apr_0123')).toBe('link:apr_0123');
    expect(deciderActor('U0LEAD')).toBe('slack:U0LEAD');
    expect(sessionOf(resolved('link:apr_0123'), EXECUTION)).toEqual({ execution: 'link-1', actor: 'link:apr_0123' });
  });

  it('the headline names the link (not a Slack mention), and the history reads it back', () => {
    const state: RunState = resolved('link:apr_0123');
    const { headline } = outcomeOf(state);
    expect(headline).toBe('arn:aws:s3:::prod-reports remediated and verified (by link:apr_0123)');
    expect(outcomeEntry({ outcome: 'RESOLVED', headline, executionArn: EXECUTION }).by).toBe('link:apr_0123');
    expect(outcomeEntry({ outcome: 'RESOLVED', headline: outcomeOf(resolved('U0LEAD')).headline, executionArn: EXECUTION }).by).toBe('U0LEAD');
  });
});
