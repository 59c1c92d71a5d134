/** The typed run state, the task table and the dispatch: a bad state or an unknown task stops before anything is read or written. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../../lib/errors';
import { outcomeOf } from '../../../lib/outcome';
import { parseRules } from '../../../lib/rules/load';
import { triage } from '../../../lib/rules/triage';
import { applyCorrectiveControlTask } from '../../../lib/workflow/apply-corrective-control';
import { archiveFindingTask } from '../../../lib/workflow/archive-finding';
import { checkResolutionTask } from '../../../lib/workflow/check-resolution';
import { closeOpenRemediationsTask } from '../../../lib/workflow/close-open-remediations';
import { dispatch, type TaskHandler } from '../../../lib/workflow/dispatch';
import { escalateToNextLevelTask } from '../../../lib/workflow/escalate-to-next-level';
import { escalateToOnCallTask } from '../../../lib/workflow/escalate-to-on-call';
import { planCorrectiveControlTask } from '../../../lib/workflow/plan-corrective-control';
import { recordAndNotifyTask } from '../../../lib/workflow/record-and-notify';
import { failureState } from '../../../lib/workflow/record-and-notify-failure';
import { recordOutcomeTask } from '../../../lib/workflow/record-outcome';
import { requestApprovalTask } from '../../../lib/workflow/request-approval';
import { rollBackChangeTask } from '../../../lib/workflow/roll-back-change';
import { RunStateSchema, type DecidedState } from '../../../lib/workflow/state';
import { TASKS, TASK_NAMES, type TaskName } from '../../../lib/workflow/tasks';
import { finding } from '../../support/finding';

const rules = parseRules(readFileSync('remediator.rules.yaml', 'utf8'));
const decided = (): DecidedState => {
  const found = finding({ bucket: 'state-bucket' });
  return { finding: found, decision: triage(found, rules) };
};

/** Every task that parses a run state, by name (Classify Finding parses an event; the failure path takes anything). */
const STATE_TASKS: Partial<Record<TaskName, TaskHandler>> = {
  'plan-corrective-control': planCorrectiveControlTask,
  'archive-finding': archiveFindingTask,
  'apply-corrective-control': applyCorrectiveControlTask,
  'roll-back-change': rollBackChangeTask,
  'check-resolution': checkResolutionTask,
  'request-approval': requestApprovalTask,
  'escalate-to-on-call': escalateToOnCallTask,
  'escalate-to-next-level': escalateToNextLevelTask,
  'close-open-remediations': closeOpenRemediationsTask,
  'record-outcome': recordOutcomeTask,
  'record-and-notify': recordAndNotifyTask,
};

describe('the task table', () => {
  it('names each task after its state, in kebab case', () => {
    for (const name of TASK_NAMES) expect(name).toBe(TASKS[name].state.toLowerCase().replaceAll(' ', '-'));
  });

  it('makes a function host exactly its tasks (the compiler refuses a missing or a foreign one)', () => {
    // @ts-expect-error check-resolution is missing
    dispatch('verify', {});
    // @ts-expect-error classify-finding does not run in verify
    dispatch('verify', { 'check-resolution': checkResolutionTask, 'classify-finding': checkResolutionTask });
    expect(true).toBe(true);
  });
});

describe('dispatch', () => {
  const seen: string[] = [];
  const handler = dispatch('verify', {
    'check-resolution': async (event) => {
      seen.push(event.task);
      return { ok: event.execution };
    },
  });

  it('runs the task named in the payload', async () => {
    await expect(handler({ task: 'check-resolution', state: {}, execution: 'arn:exec:1' })).resolves.toEqual({ ok: 'arn:exec:1' });
    expect(seen).toEqual(['check-resolution']);
  });

  it.each([
    ['a task this function does not run', { task: 'classify-finding', state: {}, execution: 'x' }],
    ['a name that is not a task', { task: 'toString', state: {}, execution: 'x' }],
    ['a payload without a task', { state: {}, execution: 'x' }],
    ['a payload without the execution', { task: 'check-resolution', state: {} }],
    ['not an object', 'check-resolution'],
  ])('refuses %s with an InvalidStateError', async (_what, event) => {
    await expect(handler(event)).rejects.toBeInstanceOf(InvalidStateError);
  });
});

describe('the run state', () => {
  it('round-trips a decided state unchanged', () => {
    const state = { ...decided(), rounds: { approval: 1 }, approval: { outcome: 'APPROVED', decidedBy: 'U1', plan: { before: { policy: null }, after: { policy: '{}' }, summary: 's', planHash: 'h' } } };
    expect(RunStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });

  it('accepts a human answer or a caught error without a cause, as Step Functions may hand it over', () => {
    const parsed = RunStateSchema.parse({ ...decided(), approval: { Error: 'ApprovalRejected', Cause: null }, error: { Error: 'States.Timeout' } });
    expect(parsed.approval).toEqual({ Error: 'ApprovalRejected', Cause: '' });
    expect(parsed.error).toEqual({ Error: 'States.Timeout', Cause: '' });
  });

  it.each(Object.entries(STATE_TASKS))('%s refuses a state that does not parse, naming the task and the field', async (name, task) => {
    const bad = { ...decided(), finding: { ...decided().finding, resource: { arn: 'not-an-arn' } } };
    const error = await task!({ task: name as TaskName, state: bad, execution: 'arn:exec:bad' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidStateError);
    expect((error as Error).message).toMatch(new RegExp(`^${name}: .*finding\\.resource`));
  });

  it('refuses a state without a finding where one is needed', async () => {
    await expect(applyCorrectiveControlTask({ task: 'apply-corrective-control', state: { error: { Error: 'X', Cause: '' } }, execution: 'e' })).rejects.toBeInstanceOf(
      InvalidStateError,
    );
  });

  it('lets the failure path record even a state that does not parse, keeping the error that led there', () => {
    expect(failureState({ finding: 42, error: { Error: 'ControlFailedError', Cause: 'boom' } })).toEqual({
      error: { Error: 'ControlFailedError', Cause: expect.stringMatching(/^boom \(the workflow state does not parse: finding/) },
    });
    expect(failureState('garbage').error?.Error).toBe('InvalidStateError');
    expect(failureState({ error: { Error: 'InvalidEventError', Cause: 'bad' } })).toEqual({ error: { Error: 'InvalidEventError', Cause: 'bad' } });
  });
});

describe('outcomes of the safe write path', () => {
  it('says DUPLICATE when another execution is changing the resource, naming it', () => {
    const state = { ...decided(), change: { status: 'DUPLICATE' as const, changeId: null, summary: '', reason: '', controlId: 'c', handledBy: 'arn:exec:first' } };
    expect(outcomeOf(state)).toMatchObject({ outcome: 'DUPLICATE', headline: expect.stringContaining('arn:exec:first') });
  });

  it('says PLAN_CHANGED when the rounds ran out without a write, and RESOLVED when a later round wrote and verified', () => {
    const changed = { ...decided(), rounds: { approval: 3 }, planChanged: { Error: 'PlanChangedError', Cause: 'moved' }, approval: { outcome: 'APPROVED' } };
    expect(outcomeOf(changed).outcome).toBe('PLAN_CHANGED');
    const written = {
      ...changed,
      change: { status: 'REMEDIATED' as const, changeId: 'x', summary: '', reason: '', controlId: 'c' },
      verification: { status: 'RESOLVED' as const, attempt: 1, attemptsLeft: 2, reason: '' },
    };
    expect(outcomeOf(written).outcome).toBe('RESOLVED');
    expect(outcomeOf({ ...changed, approval: { Error: 'ApprovalRejected', Cause: '{}' } }).outcome).toBe('REJECTED');
  });
});
