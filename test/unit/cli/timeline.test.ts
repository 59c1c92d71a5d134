/** The execution timeline, built from a Step Functions history as GetExecutionHistory returns it. */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { formatEntry, stateNotes, timelineOf } from '../../../cli/timeline';

const T0 = Date.parse('2026-12-03T07:00:00.000Z');
let id = 0;
const at = (ms: number) => new Date(T0 + ms);
const event = (ms: number, type: string, details: Partial<HistoryEvent>): HistoryEvent => ({ id: ++id, type: type as HistoryEvent['type'], timestamp: at(ms), ...details });
const entered = (ms: number, type: string, name: string, input: unknown = {}) => event(ms, `${type}StateEntered`, { stateEnteredEventDetails: { name, input: JSON.stringify(input) } });
const exited = (ms: number, type: string, name: string, output: unknown) => event(ms, `${type}StateExited`, { stateExitedEventDetails: { name, output: JSON.stringify(output) } });

const decision = { action: 'REMEDIATE', mode: 'auto', ruleId: 'public-buckets', controlId: 's3-deny-all-bucket-policy', reason: 'public bucket' };
const change = { status: 'REMEDIATED', changeId: 'manual-abc', summary: 'deny-all policy', reason: 'public', controlId: 's3-deny-all-bucket-policy' };
const verification = { status: 'RESOLVED', attempt: 1, attemptsLeft: 2, reason: 'nobody outside the zone can reach it' };

/** An auto run: classify, route, apply, wait, check, record, done. */
const autoRun: HistoryEvent[] = [
  event(0, 'ExecutionStarted', { executionStartedEventDetails: { input: JSON.stringify({ source: 'remediator.manual' }) } }),
  entered(10, 'Task', 'Classify Finding'),
  exited(400, 'Task', 'Classify Finding', { decision }),
  entered(410, 'Choice', 'Route?', { decision }),
  exited(411, 'Choice', 'Route?', { decision }),
  entered(420, 'Task', 'Apply Corrective Control', { decision }),
  exited(900, 'Task', 'Apply Corrective Control', { decision, change }),
  entered(910, 'Wait', 'Wait For Rescan', { decision, change }),
  exited(2910, 'Wait', 'Wait For Rescan', { decision, change }),
  entered(2920, 'Task', 'Check Resolution', { decision, change }),
  exited(3100, 'Task', 'Check Resolution', { decision, change, verification }),
  event(3200, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: '{}' } }),
];

describe('the timeline of an execution', () => {
  it('lists each state entered, and what a state decided or changed when it exits', () => {
    const entries = timelineOf(autoRun);
    expect(entries.map((e) => `${e.kind} ${e.state}`)).toEqual([
      'entered Classify Finding',
      'exited Classify Finding',
      'entered Route?',
      'entered Apply Corrective Control',
      'exited Apply Corrective Control',
      'entered Wait For Rescan',
      'entered Check Resolution',
      'exited Check Resolution',
      'ended SUCCEEDED',
    ]);
    expect(entries[1]!.notes).toEqual(['decision REMEDIATE (mode auto, rule public-buckets, control s3-deny-all-bucket-policy): public bucket']);
    expect(entries[4]!.notes).toEqual(['change REMEDIATED manual-abc: deny-all policy']);
    expect(entries[7]!.notes).toEqual(['verification RESOLVED (attempt 1, 2 left): nobody outside the zone can reach it']);
  });

  it('extends, never rewrites, the timeline of a shorter history of the same run (what --follow relies on)', () => {
    const full = timelineOf(autoRun);
    for (let length = 0; length <= autoRun.length; length += 1) {
      const partial = timelineOf(autoRun.slice(0, length));
      expect(full.slice(0, partial.length)).toEqual(partial);
    }
  });

  it('names a task failure and the error the execution ended with', () => {
    const failed: HistoryEvent[] = [
      event(0, 'ExecutionStarted', { executionStartedEventDetails: { input: '{}' } }),
      entered(10, 'Task', 'Apply Corrective Control'),
      event(50, 'LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: 'ResourceNotFoundError', cause: JSON.stringify({ errorMessage: 'bucket gone' }) } }),
      entered(60, 'Task', 'Record And Notify Failure'),
      exited(90, 'Task', 'Record And Notify Failure', { error: { Error: 'ResourceNotFoundError', Cause: JSON.stringify({ errorMessage: 'bucket gone' }) } }),
      event(100, 'ExecutionFailed', { executionFailedEventDetails: { error: 'ResourceNotFoundError', cause: 'bucket gone' } }),
    ];
    const entries = timelineOf(failed);
    expect(entries.find((e) => e.kind === 'failed')).toMatchObject({ state: 'Apply Corrective Control', notes: ['ResourceNotFoundError: bucket gone'] });
    expect(entries.find((e) => e.kind === 'exited')?.notes).toEqual(['error ResourceNotFoundError: bucket gone']);
    expect(entries.at(-1)).toMatchObject({ kind: 'ended', state: 'FAILED', notes: ['ResourceNotFoundError: bucket gone'] });
  });

  it('reports a human answer with who gave it', () => {
    const notes = stateNotes({}, { escalation: { outcome: 'ACKNOWLEDGED', decidedBy: 'U0ONCALL', decidedAt: '2026-12-03T07:01:00Z' } });
    expect(notes).toEqual(['escalation ACKNOWLEDGED by U0ONCALL at 2026-12-03T07:01:00Z']);
  });

  it('says nothing about a part of the state that did not change', () => {
    expect(stateNotes({ decision }, { decision })).toEqual([]);
  });

  it('prints offsets from the start, the state type, and notes under their state', () => {
    const entries = timelineOf(autoRun);
    expect(formatEntry(entries[0]!, T0)).toBe('  +  0.01s  Classify Finding (Task)');
    expect(formatEntry(entries[4]!, T0)).toBe('  +  0.90s    ↳ change REMEDIATED manual-abc: deny-all policy');
    expect(formatEntry(entries.at(-1)!, T0)).toBe('  +  3.20s  SUCCEEDED');
  });
});

describe('a part of the state passed on re-serialized', () => {
  it('adds no line when only its key order or an unshown field changed', () => {
    const reordered = { reason: 'public bucket', controlId: 's3-deny-all-bucket-policy', ruleId: 'public-buckets', mode: 'auto', action: 'REMEDIATE', route: { approvers: [] } };
    expect(stateNotes({ decision }, { decision: reordered })).toEqual([]);
    expect(stateNotes({ change }, { change: { ...change, status: 'DUPLICATE' } })).toEqual(['change DUPLICATE manual-abc: deny-all policy']);
  });
});
