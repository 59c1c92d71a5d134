/** The one ASL definition: generated from the code, valid, routed by name, and wired to functions that exist. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as errors from '../../lib/errors';
import { ACTIONS } from '../../lib/finding';
import { TASK_FUNCTION_KEYS, TASKS, type TaskName } from '../../lib/workflow/tasks';
import { functionKeysIn, readDefinition, resolveDefinition } from '../../local/definition';
import { TASK_FUNCTIONS } from '../../local/functions';
import { ASL_FILE, MAX_APPROVAL_ROUNDS, RESOURCE_BUSY_RETRY, ROUTES, STANDARD_RETRY, definitionText } from '../../statemachines/definition';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };

type Rule = { Variable?: string; StringEquals?: string; Next?: string };
type State = {
  Type: string;
  Comment?: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: { FunctionName?: { 'Fn::GetAtt': [string, string] }; Payload?: Record<string, unknown> };
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Choices?: Rule[];
  ItemProcessor?: { States: Record<string, State> };
};
const definition = readDefinition() as { StartAt: string; States: Record<string, State> };
const states = definition.States;

/** Every state, the Map's inner ones included. */
function allStates(of: Record<string, State> = states): [string, State][] {
  return Object.entries(of).flatMap(([name, state]) => [[name, state] as [string, State], ...allStates(state.ItemProcessor?.States ?? {})]);
}
const lambdaTasks = Object.entries(states).filter(([, s]) => s.Type === 'Task' && s.Resource?.startsWith('arn:aws:states:::lambda:invoke'));

/** Error names our code throws or sends: the instances' names of lib/errors.ts classes, and its exported string constants. */
const KNOWN_ERRORS = new Set(
  Object.values(errors).flatMap((value) => {
    if (typeof value === 'string') return [value];
    if (typeof value === 'function' && value.prototype instanceof Error) return [new (value as new (m: string) => Error)('').name];
    return [];
  }),
);

describe('statemachines/remediation.asl.json', () => {
  it('is exactly what statemachines/definition.ts generates (run npm run generate:asl after a change)', () => {
    expect(readFileSync(ASL_FILE, 'utf8')).toBe(definitionText());
  });

  it('is valid ASL as written and as deployed', () => {
    // asl-validator writes defaults (QueryLanguage) into what it is given: give it copies.
    expect(aslValidator(structuredClone(definition))).toMatchObject({ isValid: true });
    const arns = Object.fromEntries(Object.keys(TASK_FUNCTIONS).map((k) => [k, `arn:aws:lambda:us-east-1:123456789012:function:x-${k}`]));
    expect(aslValidator(resolveDefinition(definition, arns))).toMatchObject({ isValid: true });
  });

  it('uses JSONPath only (the local interpreter does not run JSONata)', () => {
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/QueryLanguage|JSONata|\{%/);
    for (const [name, state] of allStates()) expect(Object.keys(state), name).not.toEqual(expect.arrayContaining(['Arguments']));
  });

  it('names states in Title Case, asks questions at Choices and comments every Task', () => {
    for (const [name, state] of allStates()) {
      expect(name).toMatch(/^[A-Z][\w-]*( [A-Z][\w-]*)*\??$/);
      expect(name.endsWith('?'), name).toBe(state.Type === 'Choice');
      if (state.Type === 'Task') expect(state.Comment, name).toBeTruthy();
    }
  });

  it('routes exactly the triage actions at Route?, nothing more and nothing less', () => {
    const values = (states['Route?']?.Choices ?? []).filter((c) => c.Variable === '$.decision.action').map((c) => c.StringEquals);
    expect([...values].sort()).toEqual([...ACTIONS].sort());
    for (const rule of states['Route?']!.Choices!.filter((c) => c.Variable === '$.decision.action')) {
      expect(rule.Next).toBe(ROUTES[rule.StringEquals as (typeof ACTIONS)[number]]);
    }
  });

  it('matches only error names that lib/errors.ts defines, or Step Functions / Lambda own names', () => {
    const names = allStates().flatMap(([, s]) => [...(s.Retry ?? []), ...(s.Catch ?? [])].flatMap((r) => r.ErrorEquals));
    expect(names.length).toBeGreaterThan(10);
    for (const name of new Set(names)) {
      expect(KNOWN_ERRORS.has(name) || /^(States|Lambda|StepFunctions)\.\w+$/.test(name), name).toBe(true);
    }
    expect(names).toEqual(expect.arrayContaining(['TransientAwsError', 'ResourceBusyError', 'PlanChangedError', 'FindingResolved', 'ApprovalRejected']));
  });

  it('builds every Lambda Task from the task table: its function, its task name, the state and the execution', () => {
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual(Object.values(TASKS).map((t) => t.state).sort());
    for (const [name, state] of lambdaTasks) {
      const task = state.Parameters?.Payload?.task as TaskName;
      expect(TASKS[task]?.state, name).toBe(name);
      expect(state.Parameters?.FunctionName).toEqual({ 'Fn::GetAtt': [TASKS[task].function, 'Arn'] });
      expect(state.Parameters?.Payload).toMatchObject({ 'state.$': '$', 'execution.$': '$$.Execution.Id' });
      const waits = 'waitForTaskToken' in TASKS[task];
      expect(state.Resource, name).toBe(waits ? 'arn:aws:states:::lambda:invoke.waitForTaskToken' : 'arn:aws:states:::lambda:invoke');
      expect('taskToken.$' in (state.Parameters?.Payload ?? {}), name).toBe(waits);
    }
  });

  it('retries every Lambda Task with the standard retry; Apply waits for a busy resource first', () => {
    for (const [name, state] of lambdaTasks) expect(state.Retry?.slice(-STANDARD_RETRY.length), name).toEqual(STANDARD_RETRY);
    expect(states['Apply Corrective Control']?.Retry).toEqual([RESOURCE_BUSY_RETRY, ...STANDARD_RETRY]);
    expect(RESOURCE_BUSY_RETRY).toMatchObject({ IntervalSeconds: 2, BackoffRate: 1.5, MaxAttempts: 10 });
  });

  it('retries an invocation that timed out, was throttled or met a Lambda service error, on every Lambda Task, with backoff', () => {
    type Retrier = { ErrorEquals: string[]; IntervalSeconds: number; MaxAttempts: number; BackoffRate: number; MaxDelaySeconds?: number };
    /** The longest a retrier waits in all before its last attempt (full jitter waits less). */
    const longestWait = (r: Retrier): number =>
      Array.from({ length: r.MaxAttempts }, (_, k) => Math.min(r.IntervalSeconds * r.BackoffRate ** k, r.MaxDelaySeconds ?? Infinity)).reduce((a, b) => a + b, 0);
    // Written out, not imported: renaming one of these in the code must fail here.
    const timeouts = ['Sandbox.Timedout', 'Lambda.Unknown', 'TimeoutError'];
    const service = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.ClientExecutionTimeoutException'];
    const throttled = 'Lambda.TooManyRequestsException';
    expect(lambdaTasks).toHaveLength(Object.keys(TASKS).length);
    for (const [name, state] of lambdaTasks) {
      const retry = (state.Retry ?? []) as Retrier[];
      // Step Functions uses the first retrier that names the error.
      const retrierOf = (error: string): Retrier | undefined => retry.find((r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.ALL'));
      for (const error of [...timeouts, ...service, throttled]) {
        const r = retrierOf(error);
        expect(r, `${name} retries ${error}`).toBeDefined();
        expect(r!.MaxAttempts, `${name} ${error}`).toBeGreaterThanOrEqual(2);
        expect(r!.BackoffRate, `${name} ${error}`).toBeGreaterThan(1);
      }
      // A burst can hold the function's concurrency for a while: throttling is waited out longer than a blip.
      expect(longestWait(retrierOf(throttled)!), name).toBeGreaterThanOrEqual(60);
      // A waiting task's own timeout means nobody answered: it is caught and routed on, never asked again.
      expect(retry.flatMap((r) => r.ErrorEquals), name).not.toContain('States.Timeout');
    }
    for (const waiting of ['Request Approval', 'Escalate To On-Call']) {
      expect(states[waiting]?.Catch?.some((c) => c.ErrorEquals.includes('States.Timeout')), waiting).toBe(true);
    }
  });

  it('catches every error of every Lambda Task into the failure path, and input that cannot be classified too', () => {
    for (const [name, state] of lambdaTasks) {
      const last = state.Catch?.at(-1);
      expect(last?.ErrorEquals, name).toEqual(['States.ALL']);
      expect(last?.Next, name).toBe(name === 'Classify Finding' ? 'Reject Input' : name === 'Record And Notify Failure' ? 'Remediation Failed' : 'Record And Notify Failure');
    }
    expect(states['Reject Input']?.Next).toBe('Record And Notify Failure');
    expect(states['Record And Notify Failure']?.Next).toBe('Remediation Failed');
  });

  it('asks again when the plan changed under an approval, at most MAX_APPROVAL_ROUNDS times', () => {
    expect(states['Apply Corrective Control']?.Catch?.[0]).toMatchObject({ ErrorEquals: ['PlanChangedError'], Next: 'Ask Again?' });
    expect(states['Ask Again?']?.Choices).toEqual(
      expect.arrayContaining([expect.objectContaining({ Variable: '$.rounds.approval', NumericLessThan: MAX_APPROVAL_ROUNDS, Next: 'Count Approval Round' })]),
    );
    expect(states['Count Approval Round']?.Next).toBe('Request Approval');
  });

  it('has no dangling transitions and every state is reachable', () => {
    const names = new Set(Object.keys(states));
    const reachable = new Set<string>();
    const visit = (name: string): void => {
      if (reachable.has(name)) return;
      expect(names.has(name), `transition to unknown state ${name}`).toBe(true);
      reachable.add(name);
      const state = states[name]!;
      [state.Next, state.Default, ...(state.Catch ?? []).map((c) => c.Next), ...(state.Choices ?? []).map((c) => c.Next)]
        .filter((n): n is string => Boolean(n))
        .forEach(visit);
    };
    visit(definition.StartAt);
    expect([...names].filter((n) => !reachable.has(n))).toEqual([]);
  });

  it('invokes only the functions the task table names, which the local stack hosts', () => {
    expect([...functionKeysIn(definition)].sort()).toEqual([...TASK_FUNCTION_KEYS].sort());
    expect(Object.keys(TASK_FUNCTIONS).sort()).toEqual([...TASK_FUNCTION_KEYS].sort());
  });
});

describe('the cost of the automatic path, counted on the ASL', () => {
  /** Follow Next, and at each Choice the rule whose value is given (or the Default). */
  function walk(choices: Record<string, string>): string[] {
    const path: string[] = [];
    let name: string | undefined = definition.StartAt;
    while (name && path.length < 50) {
      path.push(name);
      const state: State = states[name]!;
      if (state.Type === 'Choice') {
        const value: string | undefined = choices[name];
        name = state.Choices?.find((rule) => rule.StringEquals !== undefined && rule.StringEquals === value)?.Next ?? state.Default;
      } else name = state.Next;
    }
    return path;
  }

  it('reaches RESOLVED through at most 8 states and 4 Lambda invocations, writing after at most 2', () => {
    const path = walk({ 'Route?': 'REMEDIATE', 'Resolved?': 'RESOLVED' });
    expect(path).toEqual([
      'Classify Finding',
      'Route?',
      'Apply Corrective Control',
      'Wait For Rescan',
      'Check Resolution',
      'Resolved?',
      'Record And Notify',
      'Done',
    ]);
    const invocations = path.filter((name) => lambdaTasks.some(([task]) => task === name));
    expect(path.length).toBeLessThanOrEqual(8);
    expect(invocations.length).toBeLessThanOrEqual(4);
    expect(invocations.indexOf('Apply Corrective Control')).toBeLessThanOrEqual(1);
  });
});
