import type { RunState } from '../outcome';

/** What every Lambda task of the state machine receives (see the Parameters of each Task in the ASL). */
export interface TaskInput {
  state: RunState;
  /** $$.Execution.Id */
  execution: string;
}

export const executionName = (executionArn: string): string => executionArn.split(':').pop() ?? executionArn;
