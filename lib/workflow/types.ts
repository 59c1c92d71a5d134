import type { RunState } from './state';

/** What a task implementation receives (see lib/workflow/dispatch.ts): the parsed run state and the execution. */
export interface TaskInput<S = RunState> {
  state: S;
  /** $$.Execution.Id */
  execution: string;
  taskToken?: string;
}

/** The execution's name (the last part of its ARN): the change id and the outcome key of a run. */
export const executionName = (executionArn: string): string => executionArn.split(':').pop() ?? executionArn;
