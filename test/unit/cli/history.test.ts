/** A resource's history from the audit table's records (lib/audit/history.ts), and `--since`. */
import { describe, expect, it } from 'vitest';
import { parseSince } from '../../../cli/history';
import { historyOf } from '../../../lib/audit/history';

const RESOURCE = 'arn:aws:s3:::history-bucket';
const FIX = 'arn:aws:states:us-east-1:123456789012:execution:remediation:fix-1';
const UNDO = 'arn:aws:states:us-east-1:123456789012:execution:remediation:undo-1';
const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:remediation:other-1';

const changeRecord = {
  pk: 'CHANGE#fix-1',
  sk: 'RECORD',
  changeId: 'fix-1',
  controlId: 's3-deny-all-bucket-policy',
  findingId: 'finding-1',
  resourceArn: RESOURCE,
  resourceType: 'AWS::S3::Bucket',
  accountId: '123456789012',
  region: 'us-east-1',
  executionArn: FIX,
  actor: 'auto',
  status: 'ROLLED_BACK',
  before: { policy: '{"Statement":[]}' },
  after: { policy: '{"Statement":[{"Effect":"Deny"}]}' },
  createdAt: '2026-12-01T10:00:01.000Z',
  updatedAt: '2026-12-01T11:00:00.000Z',
  rolledBackBy: 'arn:aws:sts::123456789012:assumed-role/Operator/alice',
  rollbackBy: UNDO,
  historyResourceArn: RESOURCE,
  historyAt: '2026-12-01T10:00:01.000Z',
};
const outcome = (executionArn: string, recordedAt: string, fields: Record<string, unknown>) => ({
  pk: `EXECUTION#${executionArn.split(':').pop()}`,
  sk: 'OUTCOME',
  executionArn,
  recordedAt,
  resourceArn: RESOURCE,
  findingId: 'finding-1',
  action: 'REMEDIATE',
  ruleId: 'public-buckets',
  changeId: null,
  error: null,
  ...fields,
});
const records = [
  changeRecord,
  outcome(FIX, '2026-12-01T10:05:00.000Z', { outcome: 'ACKNOWLEDGED', headline: `On-call acknowledged the open finding on ${RESOURCE} (by <@U0ONCALL>)`, changeId: 'fix-1' }),
  outcome(UNDO, '2026-12-01T11:00:01.000Z', { outcome: 'ROLLED_BACK', action: 'ROLLBACK', headline: 'Change fix-1 was rolled back' }),
  outcome(OTHER, '2026-11-20T09:00:00.000Z', { outcome: 'FAILED', findingId: 'finding-0', headline: 'Remediation failed', error: { name: 'TransientAwsError', cause: JSON.stringify({ errorType: 'TransientAwsError', errorMessage: 'throttled', trace: ['at x'] }) } }),
];

describe('the history of a resource', () => {
  it('tells the change, the human answer, the rollback (with who asked) and a failure, newest first', () => {
    const entries = historyOf(records, { resourceArn: RESOURCE });
    expect(entries.map((e) => `${e.kind} ${e.executionArn.split(':').pop()}`)).toEqual(['rollback undo-1', 'human fix-1', 'change fix-1', 'failure other-1']);
    expect(entries[0]).toMatchObject({ by: 'arn:aws:sts::123456789012:assumed-role/Operator/alice', change: { changeId: 'fix-1', status: 'ROLLED_BACK' } });
    expect(entries[1]).toMatchObject({ outcome: 'ACKNOWLEDGED', by: 'U0ONCALL', decision: { action: 'REMEDIATE', ruleId: 'public-buckets' } });
    expect(entries[2]!.change).toMatchObject({ before: changeRecord.before, after: changeRecord.after, actor: 'auto' });
    expect(entries[3]).toMatchObject({ error: { name: 'TransientAwsError', message: 'throttled' } });
  });

  it('keeps only one finding, or what happened since a time', () => {
    expect(historyOf(records, { resourceArn: RESOURCE, findingId: 'finding-0' }).map((e) => e.kind)).toEqual(['failure']);
    expect(historyOf(records, { resourceArn: RESOURCE, since: new Date('2026-12-01T10:30:00Z') }).map((e) => e.kind)).toEqual(['rollback']);
  });
});

describe('--since', () => {
  const now = new Date('2026-12-03T07:00:00Z');
  it('takes a duration back from now or an ISO date/time', () => {
    expect(parseSince('7d', now).toISOString()).toBe('2026-11-26T07:00:00.000Z');
    expect(parseSince('12h', now).toISOString()).toBe('2026-12-02T19:00:00.000Z');
    expect(parseSince('2026-12-01', now).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(parseSince('2026-12-01T08:00:00Z', now).toISOString()).toBe('2026-12-01T08:00:00.000Z');
  });

  it('refuses anything else with a UsageError that shows the accepted forms', () => {
    for (const bad of ['3w', 'yesterday', '2026-13-45', '']) expect(() => parseSince(bad, now)).toThrowError(/--since .* neither an ISO date\/time .* nor a duration/);
  });
});
