/**
 * The tasks of the state machine: one entry per Task state, naming the Lambda
 * function that hosts it. The ASL generator (statemachines/definition.ts) builds
 * every Task's Resource and Payload from this table, and each function's handler
 * dispatches on the same names (lib/workflow/dispatch.ts): a task that is not
 * here can be neither generated nor dispatched.
 *
 * No implementation is imported here, so that a handler pulls in only its own states.
 */

/** serverless.yml function keys of the functions the state machine invokes. */
export const TASK_FUNCTION_KEYS = ['classify', 'remediate', 'verify', 'escalate', 'notify'] as const;
export type TaskFunctionKey = (typeof TASK_FUNCTION_KEYS)[number];

export interface TaskSpec {
  /** The Task state's name in the ASL (Title Case verb phrase). */
  state: string;
  function: TaskFunctionKey;
  /** The Comment of the Task state. */
  comment: string;
  /** `.waitForTaskToken`: the task hands its token to a human and the state waits for SendTaskSuccess/Failure. */
  waitForTaskToken?: true;
}

export const TASKS = {
  'classify-finding': {
    state: 'Classify Finding',
    function: 'classify',
    comment: 'Normalize the event (lib/sources) and triage it against the rules (lib/rules). Bad input is caught into the failure path with its named error.',
  },
  'plan-corrective-control': {
    state: 'Plan Corrective Control',
    function: 'remediate',
    comment: 'Dry run: compute the exact change from the live resource, write nothing.',
  },
  'archive-finding': {
    state: 'Archive Finding',
    function: 'remediate',
    comment: 'Intended access by rule: archive the finding in the analyzer that reported it.',
  },
  'apply-corrective-control': {
    state: 'Apply Corrective Control',
    function: 'remediate',
    comment:
      'Under the resource lease: save the ChangeRecord (the exact prior state), then write the fix (the approved plan, if a human approved one); a failed write puts the prior state back.',
  },
  'roll-back-change': {
    state: 'Roll Back Change',
    function: 'remediate',
    comment: 'Restore the prior state, byte for byte, from the stored ChangeRecord (on-call asked for it, or a manual rollback request).',
  },
  'check-resolution': {
    state: 'Check Resolution',
    function: 'verify',
    comment: 'Re-fetch the resource and re-check it; never trust the event.',
  },
  'request-approval': {
    state: 'Request Approval',
    function: 'escalate',
    comment: 'Compute the plan once, store it with the task token under an opaque approval id, and post it to Slack with Approve / Reject.',
    waitForTaskToken: true,
  },
  'escalate-to-on-call': {
    state: 'Escalate To On-Call',
    function: 'escalate',
    comment: 'The fix did not take: ask on-call in Slack (Acknowledge / Roll back) and wait.',
    waitForTaskToken: true,
  },
  'escalate-to-next-level': {
    state: 'Escalate To Next Level',
    function: 'escalate',
    comment: 'No answer from on-call in time: tell the next level.',
  },
  'close-open-remediations': {
    state: 'Close Open Remediations',
    function: 'escalate',
    comment: 'The source reports the finding resolved: end any approval or escalation still waiting for it (SendTaskFailure FindingResolved).',
  },
  'record-outcome': {
    state: 'Record Outcome',
    function: 'notify',
    comment: 'Write how the execution ended to the audit table (runs nobody needs to hear about: ignored, fanned out, closed, escalated).',
  },
  'record-and-notify': {
    state: 'Record And Notify',
    function: 'notify',
    comment: "Write how the execution ended to the audit table, then tell the finding's route (one message shape for every branch).",
  },
  'record-and-notify-failure': {
    state: 'Record And Notify Failure',
    function: 'notify',
    comment: 'Write the failure, with its named error and cause, to the audit table, then tell the route.',
  },
} as const satisfies Record<string, TaskSpec>;

export type TaskName = keyof typeof TASKS;
export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

/** What every Task's Payload carries (built by the ASL generator from this table). */
export interface TaskEvent<N extends string = TaskName> {
  task: N;
  /** The run state ($), or for Classify Finding the event as delivered. */
  state: unknown;
  /** $$.Execution.Id */
  execution: string;
  /** $$.Task.Token, for .waitForTaskToken tasks. */
  taskToken?: string;
}

/** The task names one function hosts. */
export type TasksOfFunction<F extends TaskFunctionKey> = { [K in TaskName]: (typeof TASKS)[K]['function'] extends F ? K : never }[TaskName];
