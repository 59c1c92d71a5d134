import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { SLACK_BUTTONS, SLACK_LIMITS, actionFromId, approvalRequestMessage, decidedMessage, onCallMessage, outcomeMessage, type SlackMessage } from '../../../lib/escalation/messages';
import { DIFF_LINES, requestView } from '../../../lib/escalation/request-view';
import { FindingSchema, type Decision } from '../../../lib/finding';

const finding = FindingSchema.parse({
  id: 'f-1',
  source: 'access-analyzer',
  type: 'ExternalAccess',
  status: 'ACTIVE',
  severity: 'CRITICAL',
  resource: { arn: 'arn:aws:s3:::acme-prod-ledger', type: 'AWS::S3::Bucket', accountId: '123456789012', region: 'us-east-1' },
  exposure: { isPublic: true, principals: ['*'], actions: ['s3:GetObject'] },
  observedAt: '2026-11-23T09:12:40Z',
  raw: { eventId: 'e', source: 'aws.access-analyzer' },
});
const decision: Decision = {
  action: 'APPROVE',
  controlId: 's3-remove-external-statements',
  mode: 'approve',
  ruleId: 'approve-production-buckets',
  reason: 'rule',
  route: { slackChannel: '#sec', approvers: [] },
  rescan: { waitSeconds: 1, maxAttempts: 1 },
  escalation: { timeoutSeconds: 60 },
  approval: { timeoutSeconds: 60 },
};
const approvalId = `apr_${'b'.repeat(32)}`;
const execution = 'arn:aws:states:us-east-1:123456789012:execution:remediator-remediation:run-1';
const zone = { accountIds: ['123456789012'] };

const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const internal = { Sid: 'Team', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/app' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-prod-ledger/*' };
const publicRead = { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-prod-ledger/*' };
const partner = { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' };
const plan = {
  controlId: 's3-remove-external-statements',
  summary: 'Remove statements PublicRead and Partner from the bucket policy',
  before: { policy: policy([internal, publicRead, partner]) },
  after: { policy: policy([internal]) },
};

const view = (overrides: Partial<Parameters<typeof requestView>[0]> = {}) => requestView({ finding, ruleId: decision.ruleId, executionArn: execution, zone, plan, ...overrides });

/** The mrkdwn text of every section (text and fields) and context of a message. */
function texts(message: SlackMessage): string[] {
  return message.blocks.flatMap((block) => {
    const b = block as { text?: { text: string }; fields?: { text: string }[]; elements?: { text?: string }[] };
    return [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => e.text)].filter((t): t is string => typeof t === 'string');
  });
}
const all = (message: SlackMessage) => texts(message).join('\n');

function assertWithinSlackLimits(message: SlackMessage): void {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  for (const block of message.blocks) {
    const b = block as { type: string; text?: { text: string }; fields?: { text: string }[] };
    if (b.type === 'header') expect(b.text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    expect((b.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
  }
}

const diffSection = (message: SlackMessage) => texts(message).find((t) => t.startsWith('*The change, as a diff*')) ?? '';

describe('Slack approval requests', () => {
  it('say what was found: resource, account, region, source, type, severity and since when', () => {
    const text = all(approvalRequestMessage(view(), approvalId));
    for (const expected of ['arn:aws:s3:::acme-prod-ledger', 'AWS::S3::Bucket', '123456789012 / us-east-1', 'access-analyzer · ExternalAccess · CRITICAL', '2026-11-23T09:12:40Z (first observed)']) {
      expect(text).toContain(expected);
    }
  });

  it('name the account when a name is known', () => {
    expect(all(approvalRequestMessage(view({ accountName: 'ledger-prod' }), approvalId))).toContain('ledger-prod (123456789012) / us-east-1');
  });

  it('say who could reach the resource and with which actions, read from the live policy the plan starts from', () => {
    const reach = texts(approvalRequestMessage(view(), approvalId)).find((t) => t.startsWith('*Who could reach it*')) ?? '';
    expect(reach).toContain('anyone (public): s3:GetObject — policy statement PublicRead');
    expect(reach).toContain('999988887777: s3:GetObject, s3:ListBucket — policy statement Partner');
    expect(reach).not.toContain('role/app');
  });

  it('fall back to what the source reported when the plan holds no policy', () => {
    const message = approvalRequestMessage(view({ plan: { ...plan, before: { blockPublicAcls: 'false' }, after: { blockPublicAcls: 'true' } } }), approvalId);
    expect(all(message)).toContain('anyone (public): s3:GetObject — as reported by access-analyzer');
  });

  it('show the exact change as a unified diff in a code block, with the command that shows the full plan', () => {
    const diff = diffSection(approvalRequestMessage(view(), approvalId));
    expect(diff).toMatch(/^\*The change, as a diff\*\n```\n--- policy \(before\)\n\+\+\+ policy \(after\)\n@@ /);
    expect(diff).toContain('-      "Sid": "PublicRead",');
    expect(diff).toContain('-      "Sid": "Partner",');
    expect(diff).toMatch(/\n```\nFull plan: `remediate plan s3-remove-external-statements --resource arn:aws:s3:::acme-prod-ledger`$/);
  });

  it('say who loses access, outside the zone of trust and inside it', () => {
    const lost = texts(approvalRequestMessage(view(), approvalId)).find((t) => t.startsWith('*Who loses access*')) ?? '';
    expect(lost).toContain('• anyone (public): s3:GetObject — policy statement PublicRead');
    expect(lost).toContain('• 999988887777: s3:GetObject, s3:ListBucket — policy statement Partner');
  });

  it('say plainly when the change removes no access', () => {
    const message = approvalRequestMessage(view({ plan: { ...plan, after: plan.before } }), approvalId);
    expect(all(message)).toContain('_nobody: the change removes no access_');
    expect(all(message)).toContain('_no field changes_');
  });

  it(`cut a long diff to ${DIFF_LINES} lines, saying how many more there are and where to see them`, () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ Sid: `S${i}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${String(100000000000 + i)}:root` }, Action: 's3:GetObject', Resource: '*' }));
    const message = approvalRequestMessage(view({ plan: { ...plan, before: { policy: policy([internal, ...many]) }, after: { policy: policy([internal]) } } }), approvalId);
    const diff = diffSection(message);
    const code = diff.split('```')[1] ?? '';
    const lines = code.split('\n').filter(Boolean);
    expect(lines).toHaveLength(DIFF_LINES + 1);
    expect(lines.at(-1)).toMatch(/^… \d+ more lines$/);
    expect(diff).toMatch(/\d+ more lines not shown\. Full plan: `remediate plan /);
    assertWithinSlackLimits(message);
  });

  it('stay within Slack limits for a 100-statement policy with long lines, and keep the code fence closed', () => {
    const long = Array.from({ length: 100 }, (_, i) => ({
      Sid: `Grant${i}`,
      Effect: 'Allow',
      Principal: { AWS: Array.from({ length: 8 }, (_, j) => `arn:aws:iam::${String(200000000000 + i * 10 + j)}:role/${'very-long-role-name-'.repeat(3)}${j}`) },
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'],
      Resource: [`arn:aws:s3:::acme-prod-ledger/${'deep/'.repeat(20)}*`],
      Condition: { StringEquals: { 's3:prefix': [`${'x'.repeat(600)}`] } },
    }));
    const message = approvalRequestMessage(view({ plan: { ...plan, before: { policy: policy([internal, ...long]) }, after: { policy: policy([internal]) } } }), approvalId);
    assertWithinSlackLimits(message);
    const diff = diffSection(message);
    expect(diff.match(/```/g)).toHaveLength(2);
    expect(diff).toMatch(/more lines (\(cut to fit in Slack\)|not shown)/);
    expect(texts(message).find((t) => t.startsWith('*Who loses access*'))).toMatch(/… \d+ more$/);
  });

  it('cut a single diff line longer than a section, keeping the fence closed', () => {
    const huge = { ...publicRead, Condition: { StringEquals: { 'aws:Referer': 'r'.repeat(5000) } } };
    const message = approvalRequestMessage(view({ plan: { ...plan, before: { policy: policy([internal, huge]) }, after: { policy: policy([internal]) } } }), approvalId);
    assertWithinSlackLimits(message);
    const diff = diffSection(message);
    expect(diff.match(/```/g)).toHaveLength(2);
    expect(diff).toContain('(cut to fit in Slack)');
  });

  it('escape what Slack would read as markup (&, <, >), so a policy cannot inject mentions or links', () => {
    const hostile = { Sid: 'Evil', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*', Condition: { StringLike: { 'aws:Referer': '<!channel> & <https://evil.example|click>' } } };
    const message = approvalRequestMessage(view({ plan: { ...plan, before: { policy: policy([internal, hostile]) }, after: { policy: policy([internal]) } } }), approvalId);
    const text = all(message);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
  });

  it('carry two buttons whose only value is the approval id, and name the rule, the approval and the execution', () => {
    const message = approvalRequestMessage(view(), approvalId);
    const buttons = message.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as { action_id?: string; value?: string }[]) : []));
    expect(buttons.map((b) => b.action_id)).toEqual([SLACK_BUTTONS.approve, SLACK_BUTTONS.reject]);
    expect(buttons.every((b) => b.value === approvalId)).toBe(true);
    expect(all(message)).toContain(`Rule \`approve-production-buckets\` · approval ${approvalId} · execution ${execution}`);
  });

  it('say which round it is when the resource changed under an earlier approval', () => {
    expect(all(approvalRequestMessage(view({ notes: ['Round 2: the resource changed after the last approval, so this is the new plan.'] }), approvalId))).toContain('_Round 2: the resource changed');
  });
});

describe('Slack on-call escalations', () => {
  const facts = { lastCheck: 'still public: statement PublicRead', changeSummary: 'removed 1 statement', canRollBack: true };

  it('offer roll back only when a change was made, and say how to follow the run', () => {
    const withChange = onCallMessage(view({ plan: undefined }), approvalId, facts);
    const without = onCallMessage(view({ plan: undefined }), approvalId, { ...facts, canRollBack: false });
    expect(JSON.stringify(withChange)).toContain(SLACK_BUTTONS.rollback);
    expect(JSON.stringify(without)).not.toContain(SLACK_BUTTONS.rollback);
    expect(all(withChange)).toContain(`remediate status ${execution}`);
    expect(all(withChange)).toContain('still public: statement PublicRead');
    expect(all(withChange)).toContain('2026-11-23T09:12:40Z (first observed)');
  });
});

describe('messages after a decision', () => {
  const original = approvalRequestMessage(view(), approvalId);

  it('keep what the request said, drop its buttons, and say who decided and when', () => {
    const decided = decidedMessage({ text: original.text, blocks: original.blocks }, 'APPROVED', 'U0LEAD', '2026-12-03T07:00:00.000Z');
    expect(decided.blocks.some((b: KnownBlock) => b.type === 'actions')).toBe(false);
    expect(all(decided)).toContain('arn:aws:s3:::acme-prod-ledger');
    expect(all(decided)).toContain('*The change, as a diff*');
    expect(texts(decided).at(-1)).toBe('*APPROVED* by <@U0LEAD> at 2026-12-03T07:00:00.000Z');
    assertWithinSlackLimits(decided);
  });

  it('name a link decision as such, and the source that resolved a finding', () => {
    expect(decidedMessage({ text: 't' }, 'APPROVED', `link:${approvalId}`, 'T').blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: `*APPROVED* by an approval link (link:${approvalId}) at T` }] });
    expect(all(decidedMessage({ text: 'Remediation of x' }, 'RESOLVED AT THE SOURCE', 'source', 'T'))).toContain('by the source at T');
  });

  it('stay within 50 blocks whatever the original carried', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `b${i}` } }));
    expect(decidedMessage({ text: 't', blocks }, 'REJECTED', 'U0LEAD', 'T').blocks).toHaveLength(SLACK_LIMITS.blocks);
  });
});

describe('other messages', () => {
  it('map action ids back to actions and nothing else', () => {
    expect(actionFromId(SLACK_BUTTONS.approve)).toBe('approve');
    expect(actionFromId('approve')).toBeUndefined();
  });

  it('state the outcome and the error of a failed run', () => {
    const message = outcomeMessage({ finding, decision, error: { Error: 'ResourceNotFoundError', Cause: 'no bucket' } }, 'arn:exec');
    expect(message.text).toMatch(/^FAILED/);
    expect(JSON.stringify(message.blocks)).toContain('ResourceNotFoundError');
  });
});
