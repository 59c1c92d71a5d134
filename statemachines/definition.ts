/**
 * The state machine, built from TypeScript: `npm run generate:asl` writes it to
 * statemachines/remediation.asl.json, the one file serverless.yml deploys and the
 * local stack runs (a deploy test fails while the two disagree).
 *
 * What the ASL may say is taken from the code: every Task's function and Payload
 * from the task table (lib/workflow/tasks.ts), every error name from lib/errors.ts
 * (or Step Functions' own), the Route? choices from ACTIONS (lib/finding.ts).
 * The ASL routes; every decision is made in lib/.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  APPROVAL_REJECTED,
  FINDING_RESOLVED,
  HANDLER_TIMEOUT,
  LAMBDA_TIMED_OUT,
  LAMBDA_UNKNOWN,
  ApprovalRequiredError,
  PlanChangedError,
  ResourceBusyError,
  TransientAwsError,
} from '../lib/errors';
import { ACTIONS, type Action } from '../lib/finding';
import {
  EXECUTION_ALREADY_EXISTS,
  LAMBDA_SERVICE_ERRORS,
  START_EXECUTION_RETRYABLE,
  STATES_ALL,
  STATES_TIMEOUT,
  errorName,
} from '../lib/workflow/error-names';
import { TASKS, type TaskName } from '../lib/workflow/tasks';

/** An approval is asked at most this many times when the resource keeps changing under the approved plan. */
export const MAX_APPROVAL_ROUNDS = 3;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type State = { [key: string]: Json };

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
  JitterStrategy: 'FULL';
}

/** Lambda is throttling the function (its concurrency is used up): the name Step Functions gives a 429 from Invoke. */
export const LAMBDA_THROTTLED = 'Lambda.TooManyRequestsException';

/**
 * The Lambda service's own transient errors (500s of Invoke), as AWS's best practice lists them
 * (ClientExecutionTimeoutException included), throttling apart.
 */
export const LAMBDA_TRANSIENT_ERRORS: readonly string[] = [
  ...LAMBDA_SERVICE_ERRORS.filter((name) => name !== LAMBDA_THROTTLED),
  'Lambda.ClientExecutionTimeoutException',
];

/**
 * An invocation that ran out of time: Lambda's own timeout (`Sandbox.Timedout`; `Lambda.Unknown` before Lambda named
 * it), and middy's early-timeout error (`TimeoutError`, turned off in lib/lambda.ts but still the answer of a function
 * deployed before). Every task is safe to run again after an attempt that stopped anywhere: Classify's claim is this
 * execution's, Apply resumes its own change record under the lease (lib/controls/runner.ts), Check Resolution only
 * reads, a waiting task's retry asks again under a new approval id (the first attempt's token is no longer accepted,
 * so its buttons change nothing), and the records are keyed by execution. Not `States.Timeout`: that is a Task's own
 * TimeoutSeconds, which only the waiting tasks set, and there it means nobody answered (caught, never retried).
 */
export const TIMEOUT_ERRORS: readonly string[] = [LAMBDA_TIMED_OUT, LAMBDA_UNKNOWN, HANDLER_TIMEOUT];

/**
 * Every Lambda task retries, in this order: the Lambda service's transient errors; throttling, longer (a burst of
 * findings can use up the function's concurrency for a while: up to about 1.5 min in all); a timeout, twice; then our
 * transient AWS errors.
 */
export const STANDARD_RETRY: Retrier[] = [
  { ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' },
  { ErrorEquals: [LAMBDA_THROTTLED], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
  { ErrorEquals: [...TIMEOUT_ERRORS], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2, JitterStrategy: 'FULL' },
  { ErrorEquals: [errorName(TransientAwsError)], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2, JitterStrategy: 'FULL' },
];

/** Another execution holds the lease on the resource: wait for it (about 2 min in all) before anything else. */
export const RESOURCE_BUSY_RETRY: Retrier = {
  ErrorEquals: [errorName(ResourceBusyError)],
  IntervalSeconds: 2,
  MaxAttempts: 10,
  BackoffRate: 1.5,
  JitterStrategy: 'FULL',
};

/** State names used in more than one place. */
export const S = {
  classify: TASKS['classify-finding'].state,
  rejectInput: 'Reject Input',
  route: 'Route?',
  fanOut: 'Start Finding Workflows',
  plan: TASKS['plan-corrective-control'].state,
  archive: TASKS['archive-finding'].state,
  requestApproval: TASKS['request-approval'].state,
  approved: 'Approved?',
  askAgain: 'Ask Again?',
  askFirst: 'Ask First',
  countRound: 'Count Approval Round',
  apply: TASKS['apply-corrective-control'].state,
  wait: 'Wait For Rescan',
  check: TASKS['check-resolution'].state,
  resolved: 'Resolved?',
  onCall: TASKS['escalate-to-on-call'].state,
  rollBackRequested: 'Roll Back Requested?',
  rollBack: TASKS['roll-back-change'].state,
  nextLevel: TASKS['escalate-to-next-level'].state,
  close: TASKS['close-open-remediations'].state,
  recordOutcome: TASKS['record-outcome'].state,
  recordAndNotify: TASKS['record-and-notify'].state,
  failure: TASKS['record-and-notify-failure'].state,
  failed: 'Remediation Failed',
  done: 'Done',
} as const;

/** Where each triage action goes from Route? (a Record over ACTIONS: an action without a route does not compile). */
export const ROUTES: Record<Action, string> = {
  REMEDIATE: S.apply,
  APPROVE: S.requestApproval,
  DRY_RUN: S.plan,
  ARCHIVE: S.archive,
  NOTIFY: S.recordAndNotify,
  IGNORE: S.recordOutcome,
  // A rules-file exception: recorded as EXCEPTED, nothing changed, nobody paged.
  EXCEPTED: S.recordOutcome,
  ALREADY_RESOLVED: S.close,
  ROLLBACK: S.rollBack,
};

interface Catcher {
  ErrorEquals: string[];
  ResultPath: string;
  Next: string;
}

const toFailure = (resultPath = '$.error'): Catcher => ({ ErrorEquals: [STATES_ALL], ResultPath: resultPath, Next: S.failure });

/** A Lambda Task of the task table: its function, Payload, Comment and the standard Retry, always from TASKS. */
function task(name: TaskName, fields: { Next?: string; End?: true; Catch: Catcher[]; Retry?: Retrier[]; ResultPath?: string; TimeoutSecondsPath?: string }): State {
  const spec: { state: string; function: string; comment: string; waitForTaskToken?: true } = TASKS[name];
  const waits = spec.waitForTaskToken === true;
  const state: State = {
    Type: 'Task',
    Comment: spec.comment,
    Resource: waits ? 'arn:aws:states:::lambda:invoke.waitForTaskToken' : 'arn:aws:states:::lambda:invoke',
    Parameters: {
      FunctionName: { 'Fn::GetAtt': [spec.function, 'Arn'] },
      Payload: {
        task: name,
        'state.$': '$',
        'execution.$': '$$.Execution.Id',
        ...(waits ? { 'taskToken.$': '$$.Task.Token' } : {}),
      },
    },
  };
  if (fields.TimeoutSecondsPath) state.TimeoutSecondsPath = fields.TimeoutSecondsPath;
  // A waiting task's result is the human's answer (SendTaskSuccess output), kept beside the state; others return the new state.
  if (waits) state.ResultPath = fields.ResultPath ?? null;
  else state.OutputPath = '$.Payload';
  state.Retry = (fields.Retry ?? STANDARD_RETRY) as unknown as Json;
  state.Catch = fields.Catch as unknown as Json;
  if (fields.Next) state.Next = fields.Next;
  if (fields.End) state.End = true;
  return state;
}

function fanOut(): State {
  return {
    Type: 'Map',
    Comment:
      'One child execution of this state machine per finding, named after the finding so a redelivery starts nothing new; a finding that cannot be started is recorded and does not sink its siblings.',
    ItemsPath: '$.batch.findings',
    ItemSelector: { 'finding.$': '$$.Map.Item.Value', 'stateMachine.$': '$$.StateMachine.Id', 'execution.$': '$$.Execution.Id' },
    MaxConcurrency: 10,
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: 'Start Finding Workflow',
      States: {
        'Start Finding Workflow': {
          Type: 'Task',
          Comment: 'Start this state machine for one finding (fire and forget: the child has its own approvals and timeline).',
          Resource: 'arn:aws:states:::states:startExecution',
          Parameters: {
            'StateMachineArn.$': '$.stateMachine',
            'Name.$': "States.Format('f-{}', States.Hash(States.Format('{}|{}|{}', $.finding.source, $.finding.id, $.finding.observedAt), 'SHA-256'))",
            Input: { remediator: 'finding', 'finding.$': '$.finding', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$.execution' },
          },
          Retry: [{ ErrorEquals: [...START_EXECUTION_RETRYABLE], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }],
          Catch: [
            { ErrorEquals: [EXECUTION_ALREADY_EXISTS], ResultPath: '$.duplicate', Next: 'Already Started' },
            { ErrorEquals: [STATES_ALL], ResultPath: '$.error', Next: 'Could Not Start' },
          ],
          ResultSelector: { 'executionArn.$': '$.ExecutionArn' },
          End: true,
        },
        'Already Started': { Type: 'Pass', Comment: 'A redelivered finding: its execution exists already.', Parameters: { duplicate: true }, End: true },
        'Could Not Start': { Type: 'Pass', Comment: 'Keep the error with the item; the siblings go on.', Parameters: { 'error.$': '$.error' }, End: true },
      },
    },
    ResultPath: '$.batch.started',
    Next: S.recordOutcome,
  };
}

export function buildDefinition(): State {
  const states: Record<string, State> = {
    [S.classify]: task('classify-finding', {
      // The input may be anything, even not an object: the error replaces it (Reject Input keeps it by name).
      Catch: [{ ErrorEquals: [STATES_ALL], ResultPath: '$', Next: S.rejectInput }],
      Next: S.route,
    }),
    [S.rejectInput]: {
      Type: 'Pass',
      Comment: 'The event could not be classified: keep only the named error (the input may be anything, even not an object) and record it.',
      Parameters: { 'error.$': '$' },
      Next: S.failure,
    },
    [S.route]: {
      Type: 'Choice',
      Comment: 'One finding goes where triage decided; a Security Hub event with several findings starts one execution per finding.',
      Choices: [
        { Variable: '$.batch', IsPresent: true, Next: S.fanOut },
        ...ACTIONS.map((action) => ({ Variable: '$.decision.action', StringEquals: action, Next: ROUTES[action] })),
      ],
      Default: S.recordAndNotify,
    },
    [S.fanOut]: fanOut(),
    [S.close]: task('close-open-remediations', { Catch: [toFailure()], Next: S.recordOutcome }),
    [S.plan]: task('plan-corrective-control', { Catch: [toFailure()], Next: S.recordAndNotify }),
    [S.archive]: task('archive-finding', { Catch: [toFailure()], Next: S.recordAndNotify }),
    [S.requestApproval]: task('request-approval', {
      TimeoutSecondsPath: '$.decision.approval.timeoutSeconds',
      ResultPath: '$.approval',
      Catch: [
        { ErrorEquals: [FINDING_RESOLVED, APPROVAL_REJECTED, STATES_TIMEOUT], ResultPath: '$.approval', Next: S.recordAndNotify },
        toFailure(),
      ],
      Next: S.approved,
    }),
    [S.approved]: {
      Type: 'Choice',
      Comment: 'Only an explicit approval goes on to the change.',
      Choices: [{ Variable: '$.approval.outcome', StringEquals: 'APPROVED', Next: S.apply }],
      Default: S.recordAndNotify,
    },
    [S.apply]: task('apply-corrective-control', {
      Retry: [RESOURCE_BUSY_RETRY, ...STANDARD_RETRY],
      Catch: [
        { ErrorEquals: [errorName(PlanChangedError)], ResultPath: '$.planChanged', Next: S.askAgain },
        { ErrorEquals: [errorName(ApprovalRequiredError)], ResultPath: '$.approvalRequired', Next: S.askFirst },
        toFailure(),
      ],
      Next: S.wait,
    }),
    [S.askFirst]: {
      Type: 'Pass',
      Comment: "An automatic change would cut off more identities than the rule's maxPrincipalsRemoved: nothing was written; ask a human (round 1).",
      Parameters: { approval: 1 },
      ResultPath: '$.rounds',
      Next: S.requestApproval,
    },
    [S.askAgain]: {
      Type: 'Choice',
      Comment: `The resource changed after the approval: nothing was written. Ask again with the new plan, at most ${MAX_APPROVAL_ROUNDS} rounds in all.`,
      Choices: [
        { Variable: '$.rounds.approval', IsPresent: false, Next: S.recordAndNotify },
        { Variable: '$.rounds.approval', NumericLessThan: MAX_APPROVAL_ROUNDS, Next: S.countRound },
      ],
      Default: S.recordAndNotify,
    },
    [S.countRound]: {
      Type: 'Pass',
      Comment: 'One more approval round.',
      Parameters: { 'approval.$': 'States.MathAdd($.rounds.approval, 1)' },
      ResultPath: '$.rounds',
      Next: S.requestApproval,
    },
    [S.wait]: {
      Type: 'Wait',
      Comment: 'Give the source time to rescan the resource.',
      SecondsPath: '$.decision.rescan.waitSeconds',
      Next: S.check,
    },
    [S.check]: task('check-resolution', { Catch: [toFailure()], Next: S.resolved }),
    [S.resolved]: {
      Type: 'Choice',
      Comment: 'Resolved, try again, or a human. A resource another execution is fixing is that execution’s to verify and escalate.',
      Choices: [
        { Variable: '$.change.status', StringEquals: 'DUPLICATE', Next: S.recordAndNotify },
        { Variable: '$.verification.status', StringEquals: 'RESOLVED', Next: S.recordAndNotify },
        { Variable: '$.verification.attemptsLeft', NumericGreaterThan: 0, Next: S.wait },
      ],
      Default: S.onCall,
    },
    [S.onCall]: task('escalate-to-on-call', {
      TimeoutSecondsPath: '$.decision.escalation.timeoutSeconds',
      ResultPath: '$.escalation',
      Catch: [
        { ErrorEquals: [FINDING_RESOLVED], ResultPath: '$.escalation', Next: S.recordAndNotify },
        { ErrorEquals: [STATES_TIMEOUT], ResultPath: '$.escalation', Next: S.nextLevel },
        toFailure(),
      ],
      Next: S.rollBackRequested,
    }),
    [S.rollBackRequested]: {
      Type: 'Choice',
      Comment: 'On-call either acknowledges or asks to put the resource back.',
      Choices: [{ Variable: '$.escalation.outcome', StringEquals: 'ROLL_BACK', Next: S.rollBack }],
      Default: S.recordAndNotify,
    },
    [S.rollBack]: task('roll-back-change', { Catch: [toFailure()], Next: S.recordAndNotify }),
    [S.nextLevel]: task('escalate-to-next-level', { Catch: [toFailure()], Next: S.recordOutcome }),
    [S.recordOutcome]: task('record-outcome', { Catch: [toFailure()], Next: S.done }),
    [S.recordAndNotify]: task('record-and-notify', { Catch: [toFailure()], Next: S.done }),
    [S.failure]: task('record-and-notify-failure', {
      Catch: [{ ErrorEquals: [STATES_ALL], ResultPath: '$.recordError', Next: S.failed }],
      Next: S.failed,
    }),
    [S.failed]: {
      Type: 'Fail',
      Comment: 'Ends with the error that stopped the run.',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    },
    [S.done]: { Type: 'Succeed', Comment: 'The run ended as designed (its outcome is in the audit table).' },
  };
  return {
    Comment:
      'Remediator: classify a security finding, fix it (or ask first), verify the fix took, escalate to a human when it did not. Generated by statemachines/definition.ts (npm run generate:asl); routing only: every decision is made in lib/.',
    StartAt: S.classify,
    States: states,
  };
}

/** The file's text: what `npm run generate:asl` writes and a deploy test compares. */
export function definitionText(): string {
  return `${JSON.stringify(buildDefinition(), null, 2)}\n`;
}

export const ASL_FILE = fileURLToPath(new URL('./remediation.asl.json', import.meta.url));

// npm run generate:asl
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(ASL_FILE, definitionText());
  process.stdout.write(`wrote ${ASL_FILE}\n`);
}
