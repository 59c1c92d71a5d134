/**
 * What Record And Notify adds to the outcome message: the archive rule an intended finding should
 * become, and an exception that matched but expired. Archive Finding carries the same proposal in
 * its outcome. Slack and Access Analyzer are stand-ins (moto has no Access Analyzer: the SDK is mocked).
 */
import { AccessAnalyzerClient, UpdateFindingsCommand } from '@aws-sdk/client-accessanalyzer';
import type { SlackApi } from '../../../lib/escalation/slack-api';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import type { Action, Mode } from '../../../lib/finding';
import { archiveFindingState } from '../../../lib/workflow/archive-finding';
import { notesFor, notifyRoute } from '../../../lib/workflow/record-and-notify';
import type { RunState } from '../../../lib/workflow/state';
import { decision as decisionOf } from '../../support/decision';
import { finding } from '../../support/finding';

const analyzer = mockClient(AccessAnalyzerClient);
beforeEach(() => analyzer.reset());

const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:remediator-prod-remediation:aa-1';
const NOW = () => new Date('2026-12-03T07:00:00Z');
const decision = (action: Action, mode: Mode, reason = 'rule r') =>
  decisionOf({ action, mode, controlId: action === 'REMEDIATE' ? 's3-deny-all-bucket-policy' : null, ruleId: 'shared-reports-intended', reason });
const intended = () => finding({ bucket: 'shared-reports', exposure: { isPublic: false, principals: ['111122223333'] } });
const expired = { id: 'reports', match: { 'resource.arn': { eq: ['arn:aws:s3:::shared-reports'] } }, owner: 'data-team', reason: 'DATA-7', expires: '2026-11-30' };

function slackStandIn() {
  const posts: { channel: string; text: string; blocks: { text?: { text: string } }[] }[] = [];
  const web = { chat: { postMessage: async (message: (typeof posts)[number]) => (posts.push(message), { ok: true }) } } as unknown as SlackApi;
  return { posts, slack: async () => web };
}

describe('the archive outcome', () => {
  it('Archive Finding archives in the analyzer and carries the proposed rule in its outcome', async () => {
    analyzer.on(UpdateFindingsCommand).resolves({});
    const state = await archiveFindingState({ execution: EXECUTION, state: { finding: intended(), decision: decision('ARCHIVE', 'archive') } }, { clients: new AwsClients({ region: 'us-east-1' }) });
    expect(state.archive?.status).toBe('ARCHIVED');
    expect(state.archive?.reason).toMatch(/^intended access by rule shared-reports-intended: archived in .*; proposed archive rule remediator-shared-reports-intended-[0-9a-f]{8}: filter \{"resource":\{"eq":\["arn:aws:s3:::shared-reports"\]\}/);
    expect(state.archive?.reason).toContain('"principal.AWS":{"eq":["111122223333"]}');
  });

  it('the message proposes the rule, in archive-rule syntax, before the execution line', async () => {
    const { posts, slack } = slackStandIn();
    await notifyRoute({ execution: EXECUTION, state: { finding: intended(), decision: decision('ARCHIVE', 'archive'), archive: { status: 'ARCHIVED', reason: 'x' } } }, { slack });
    const texts = posts[0]!.blocks.map((block) => block.text?.text ?? '');
    const proposal = texts.findIndex((text) => text.startsWith('Make it a rule: proposed archive rule remediator-shared-reports-intended-'));
    expect(proposal).toBeGreaterThan(0);
    expect(texts[proposal]).toContain('"isPublic":{"eq":["false"]}');
    expect(proposal).toBeLessThan(texts.length - 1);
    expect(posts[0]!.text).toContain('create-archive-rule');
  });
});

describe('an expired exception in the message', () => {
  it('is named when the run went on to change the resource', () => {
    const state: RunState = {
      finding: intended(),
      decision: decision('REMEDIATE', 'auto', 'rule r; exception exception:reports (owner data-team) expired on 2026-11-30'),
      change: { status: 'REMEDIATED', changeId: 'c', summary: 's', reason: 'r', controlId: 's3-deny-all-bucket-policy' },
      verification: { status: 'RESOLVED', attempt: 1, attemptsLeft: 0, reason: 'closed' },
    };
    expect(notesFor(state, { exceptions: [expired], now: NOW })).toEqual(['Exception exception:reports (owner data-team: DATA-7) expired on 2026-11-30 and no longer applies.']);
  });

  it('is not repeated when the headline already carries the decision’s reason', () => {
    const state: RunState = { finding: intended(), decision: decision('NOTIFY', 'notify', 'rule r; exception exception:reports (owner data-team) expired on 2026-11-30') };
    expect(notesFor(state, { exceptions: [expired], now: NOW })).toEqual([]);
  });

  it('is not added while the exception still holds, nor to an excepted run', () => {
    const state: RunState = { finding: intended(), decision: decision('REMEDIATE', 'auto'), change: { status: 'REMEDIATED', changeId: 'c', summary: 's', reason: 'r', controlId: 's3-deny-all-bucket-policy' } };
    expect(notesFor(state, { exceptions: [{ ...expired, expires: '2027-01-01' }], now: NOW })).toEqual([]);
    expect(notesFor({ ...state, decision: decision('EXCEPTED', 'notify') }, { exceptions: [expired], now: NOW })).toEqual([]);
  });
});
