/**
 * One Lambda handler per function, many states per function: the handler looks
 * the task up in a table (never a switch on strings), and every task parses its
 * state on entry. An unknown task or a state that does not parse is an
 * InvalidStateError, which the ASL catches into the failure path.
 */
import * as z from 'zod';
import { InvalidStateError } from '../errors';
import { formatIssues } from '../sources/envelope';
import { parseState } from './state';
import type { TaskEvent, TaskFunctionKey, TaskName, TasksOfFunction } from './tasks';
import type { TaskInput } from './types';

export type TaskHandler<R = unknown> = (event: TaskEvent) => Promise<R>;

/** A task: parse the state with `schema` (InvalidStateError otherwise), then run. */
export function defineTask<S extends z.ZodType, R>(name: TaskName, schema: S, run: (input: TaskInput<z.infer<S>>) => Promise<R>): TaskHandler<R> {
  return async (event) =>
    run({ state: parseState(schema, event.state, name), execution: event.execution, ...(event.taskToken ? { taskToken: event.taskToken } : {}) });
}

const TaskEventSchema = z.object({
  task: z.string().min(1),
  state: z.unknown(),
  execution: z.string().min(1),
  taskToken: z.string().min(1).optional(),
});

/** The handler of function `fn`: exactly the tasks TASKS assigns to it (checked by the compiler), looked up by name. */
export function dispatch<F extends TaskFunctionKey>(fn: F, tasks: { [K in TasksOfFunction<F>]: TaskHandler }): (event: unknown) => Promise<unknown> {
  const table: Partial<Record<string, TaskHandler>> = tasks;
  return async (event) => {
    const parsed = TaskEventSchema.safeParse(event);
    if (!parsed.success) throw new InvalidStateError(`${fn}: not a task invocation: ${formatIssues(parsed.error)}`, { context: { function: fn } });
    const handler = Object.hasOwn(table, parsed.data.task) ? table[parsed.data.task] : undefined;
    if (!handler) throw new InvalidStateError(`${fn}: no task named "${parsed.data.task}" runs in this function`, { context: { function: fn, task: parsed.data.task } });
    return handler(parsed.data as TaskEvent);
  };
}
