/**
 * Which hosted handler made an AWS call: the drills wrap the handlers that the
 * local stack's function host runs (local/functions.ts) so that every call a
 * handler makes carries the function, the execution and the operation it
 * served (AsyncLocalStorage follows the handler's promises into the SDK's
 * middleware). Hooks let a drill act at an exact point of an execution, e.g.
 * re-open a bucket just before Check Resolution reads it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { HTTP_FUNCTIONS, TASK_FUNCTIONS } from '../local/functions';
import type { HttpHandler, LambdaHandler } from '../local/function-host';

export interface Invocation {
  /** serverless.yml function key: classify, remediate, verify, escalate, notify, record, slackInteraction. */
  fn: string;
  /** $$.Execution.Id of the task, when the handler serves a Step Functions task. */
  execution: string | null;
  /** The state's task name (lib/workflow/tasks.ts), when present. */
  operation: string | null;
}

export type InvokeHook = (invocation: Invocation, event: unknown) => Promise<void> | void;

const storage = new AsyncLocalStorage<Invocation>();
const hooks = new Set<InvokeHook>();
let installed = false;

export const currentInvocation = (): Invocation | undefined => storage.getStore();

/** Run `hook` before every hosted handler (until the returned function removes it). */
export function beforeInvoke(hook: InvokeHook): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

function describe(fn: string, event: unknown): Invocation {
  const value = (event && typeof event === 'object' ? event : {}) as Record<string, unknown>;
  const operation = typeof value.task === 'string' ? value.task : null;
  return { fn, execution: typeof value.execution === 'string' ? value.execution : null, operation };
}

/** Wrap the hosted handlers; call before startLocalStack (which reads the tables). */
export function installAttribution(): void {
  if (installed) return;
  installed = true;
  for (const [fn, handler] of Object.entries(TASK_FUNCTIONS)) {
    const wrapped: LambdaHandler = async (event, context) => {
      const invocation = describe(fn, event);
      for (const hook of hooks) await hook(invocation, event);
      return storage.run(invocation, () => handler(event, context));
    };
    (TASK_FUNCTIONS as Record<string, LambdaHandler>)[fn] = wrapped;
  }
  for (const [fn, entry] of Object.entries(HTTP_FUNCTIONS)) {
    const handler = entry.handler;
    const wrapped: HttpHandler = async (event, context) => {
      const invocation: Invocation = { fn, execution: null, operation: null };
      for (const hook of hooks) await hook(invocation, event);
      return storage.run(invocation, () => handler(event, context));
    };
    HTTP_FUNCTIONS[fn] = { ...entry, handler: wrapped };
  }
}
