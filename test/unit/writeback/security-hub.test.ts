/**
 * Security Hub write-back. moto has no BatchUpdateFindings (TOOLCHAIN.md: "Missing: … Security Hub
 * BatchUpdateFindings"), so the Security Hub client is mocked here with aws-sdk-client-mock; the
 * audit store and Slack are in-memory stand-ins that keep what they were given.
 */
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SlackApi } from '../../../lib/escalation/slack-api';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditStore } from '../../../lib/audit/store';
import { AwsClients } from '../../../lib/aws/clients';
import type { Action, Finding, Mode } from '../../../lib/finding';
import { recordAndNotify } from '../../../lib/workflow/record-and-notify';
import { recordOutcome } from '../../../lib/workflow/record-outcome';
import type { RunState } from '../../../lib/workflow/state';
import { noteText, securityHubUpdateFor, securityHubWriteBackEnabled, writeBackToSecurityHub } from '../../../lib/writeback/security-hub';
import { decision } from '../../support/decision';
import { finding as buildFinding } from '../../support/finding';

const securityHub = mockClient(SecurityHubClient);
beforeEach(() => securityHub.reset());

const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:remediator-prod-remediation:sh-abc123';
const PRODUCT_ARN = 'arn:aws:securityhub:us-east-1::product/aws/access-analyzer';

function hubFinding(overrides: Partial<Finding> = {}): Finding {
  return { ...buildFinding({ bucket: 'reports', id: 'arn:aws:access-analyzer:us-east-1:123456789012:analyzer/org/finding/f-1', source: 'security-hub', labels: { product: 'access-analyzer', productArn: PRODUCT_ARN } }), ...overrides };
}

const decided = (action: Action, mode: Mode = 'auto') => decision({ action, mode, controlId: action === 'REMEDIATE' ? 's3-deny-all-bucket-policy' : null });

const change = { status: 'REMEDIATED' as const, changeId: 'chg-42', summary: 'deny-all', reason: 'public', controlId: 's3-deny-all-bucket-policy' };
const resolved = (f = hubFinding()): RunState => ({ finding: f, decision: decided('REMEDIATE'), change, verification: { status: 'RESOLVED', attempt: 1, attemptsLeft: 2, reason: 'closed' } });
const escalated = (): RunState => ({ finding: hubFinding(), decision: decided('REMEDIATE'), change, escalation: { Error: 'States.Timeout', Cause: '' } });
const archived = (): RunState => ({ finding: hubFinding(), decision: decided('ARCHIVE', 'archive'), archive: { status: 'NOT_ARCHIVED', reason: 'intended' } });

const clients = () => new AwsClients({ region: 'us-east-1' });

describe('securityHubUpdateFor', () => {
  it.each([
    ['verified', resolved, 'RESOLVED'],
    ['escalated', escalated, 'NOTIFIED'],
    ['archived as intended', archived, 'SUPPRESSED'],
  ] as const)('writes %s as Workflow.Status %s, with a note naming the execution and the change', (_, state, status) => {
    const update = securityHubUpdateFor(state(), EXECUTION);
    if ('skip' in update) throw new Error(update.skip);
    expect(update.workflowStatus).toBe(status);
    expect(update.input.FindingIdentifiers).toEqual([{ Id: 'arn:aws:access-analyzer:us-east-1:123456789012:analyzer/org/finding/f-1', ProductArn: PRODUCT_ARN }]);
    expect(update.input.Workflow).toEqual({ Status: status });
    expect(update.input.Note?.UpdatedBy).toBe('remediator');
    expect(update.input.Note?.Text).toContain(`Execution ${EXECUTION}`);
  });

  it('names the change in the note, or says there was none', () => {
    const update = securityHubUpdateFor(resolved(), EXECUTION);
    expect('input' in update && update.input.Note?.Text).toMatch(/^Remediator RESOLVED\. Execution .*; change chg-42\. arn:aws:s3:::reports remediated and verified/);
    const none = securityHubUpdateFor(archived(), EXECUTION);
    expect('input' in none && none.input.Note?.Text).toContain('change none');
  });

  it('skips findings of other sources, findings without a ProductArn, and outcomes not written back', () => {
    expect(securityHubUpdateFor(resolved(hubFinding({ source: 'access-analyzer' })), EXECUTION)).toEqual({ skip: 'the finding came from access-analyzer, not Security Hub' });
    expect(securityHubUpdateFor(resolved(hubFinding({ labels: { product: 'access-analyzer' } })), EXECUTION)).toEqual({ skip: expect.stringContaining('kept no ProductArn') });
    expect(securityHubUpdateFor({ finding: hubFinding(), decision: decided('DRY_RUN', 'dry-run') }, EXECUTION)).toEqual({ skip: 'outcome DRY_RUN is not written back' });
    expect(securityHubUpdateFor({ finding: hubFinding(), decision: decided('EXCEPTED', 'notify') }, EXECUTION)).toEqual({ skip: 'outcome EXCEPTED is not written back' });
  });

  it('keeps the note within Security Hub’s 512 characters, execution and change first', () => {
    const text = noteText('RESOLVED', 'x'.repeat(2000), EXECUTION, 'chg-1');
    expect(text).toHaveLength(512);
    expect(text).toContain('change chg-1');
  });
});

describe('writeBackToSecurityHub', () => {
  it('sends BatchUpdateFindings and reports UPDATED', async () => {
    securityHub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [{ Id: 'f', ProductArn: PRODUCT_ARN }], UnprocessedFindings: [] });
    expect(await writeBackToSecurityHub(resolved(), EXECUTION, clients())).toEqual({ target: 'security-hub', status: 'UPDATED', workflowStatus: 'RESOLVED', reason: 'Workflow.Status RESOLVED' });
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(1);
  });

  it('reports a finding Security Hub refused as FAILED, with its error code', async () => {
    securityHub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [{ FindingIdentifier: { Id: 'f', ProductArn: PRODUCT_ARN }, ErrorCode: 'FindingNotFound', ErrorMessage: 'no such finding' }] });
    expect(await writeBackToSecurityHub(resolved(), EXECUTION, clients())).toMatchObject({ status: 'FAILED', reason: 'Security Hub did not update the finding: FindingNotFound: no such finding' });
  });

  it('turns an error of the call into a FAILED result instead of throwing', async () => {
    securityHub.on(BatchUpdateFindingsCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    expect(await writeBackToSecurityHub(escalated(), EXECUTION, clients())).toMatchObject({ status: 'FAILED', workflowStatus: 'NOTIFIED', reason: 'BatchUpdateFindings: AccessDeniedException: not allowed' });
  });

  it('is switched on only by REMEDIATOR_SECURITY_HUB_WRITEBACK=true', () => {
    expect(securityHubWriteBackEnabled({})).toBe(false);
    expect(securityHubWriteBackEnabled({ REMEDIATOR_SECURITY_HUB_WRITEBACK: 'false' })).toBe(false);
    expect(securityHubWriteBackEnabled({ REMEDIATOR_SECURITY_HUB_WRITEBACK: 'true' })).toBe(true);
  });
});

/** In-memory stand-ins for the audit table and Slack: they keep what they are given. */
function standIns() {
  const rows: Record<string, unknown>[] = [];
  const posts: { channel: string; text: string }[] = [];
  const audit = { recordOutcome: async (_name: string, row: Record<string, unknown>) => void rows.push(row) } as unknown as AuditStore;
  const web = { chat: { postMessage: async (message: { channel: string; text: string }) => (posts.push(message), { ok: true, channel: message.channel, ts: '1.2' }) } } as unknown as SlackApi;
  return { rows, posts, audit, slack: async () => web };
}

describe('the recording tasks', () => {
  it('Record And Notify writes back, keeps the result in the outcome row, then tells the route', async () => {
    securityHub.on(BatchUpdateFindingsCommand).resolves({ UnprocessedFindings: [] });
    const { rows, posts, audit, slack } = standIns();
    const state = await recordAndNotify({ execution: EXECUTION, state: resolved() }, { audit, slack, writeBack: { clients: clients(), securityHub: true } });
    expect(rows[0]).toMatchObject({ outcome: 'RESOLVED', writeBack: { target: 'security-hub', status: 'UPDATED', workflowStatus: 'RESOLVED' } });
    expect(posts).toHaveLength(1);
    expect(state.notification).toMatchObject({ delivered: true });
  });

  it('a failed write-back is recorded and the run goes on', async () => {
    securityHub.on(BatchUpdateFindingsCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }));
    const { rows, posts, audit, slack } = standIns();
    await expect(recordAndNotify({ execution: EXECUTION, state: archived() }, { audit, slack, writeBack: { clients: clients(), securityHub: true } })).resolves.toBeDefined();
    expect(rows[0]).toMatchObject({ outcome: 'ARCHIVED', writeBack: { status: 'FAILED', workflowStatus: 'SUPPRESSED', reason: expect.stringContaining('InternalFailure') } });
    expect(posts).toHaveLength(1);
  });

  it('Record Outcome writes an escalation back as NOTIFIED', async () => {
    securityHub.on(BatchUpdateFindingsCommand).resolves({ UnprocessedFindings: [] });
    const { rows, audit } = standIns();
    await recordOutcome({ execution: EXECUTION, state: escalated() }, { audit, writeBack: { clients: clients(), securityHub: true } });
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)[0]!.args[0].input.Workflow).toEqual({ Status: 'NOTIFIED' });
    expect(rows[0]).toMatchObject({ outcome: 'ESCALATED', writeBack: { status: 'UPDATED' } });
  });

  it('calls nothing when the setting is off, or for findings of other sources', async () => {
    const { rows, audit } = standIns();
    await recordOutcome({ execution: EXECUTION, state: escalated() }, { audit, writeBack: { clients: clients(), securityHub: false } });
    await recordOutcome({ execution: EXECUTION, state: { ...escalated(), finding: buildFinding() } }, { audit, writeBack: { clients: clients(), securityHub: true } });
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(0);
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => !('writeBack' in row))).toBe(true);
  });
});
