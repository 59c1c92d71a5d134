/**
 * The one wrapper every handler uses: middy with the structured logger's
 * Lambda context injected. Dependencies are not built here: each state asks
 * lib/runtime/ for what it calls, so a function bundles only those.
 *
 * middy's early-timeout timer is off (`timeoutEarlyInMillis: 0`). With it on, middy answers
 * `TimeoutError` 5 ms before the deadline while the handler goes on running: Lambda then freezes
 * the sandbox with that work half done and resumes it inside the next invocation of the sandbox,
 * which may be the retry of the same task. Without it, a handler that runs out of time is stopped by
 * Lambda itself (the sandbox is reset, `Sandbox.Timedout`), and the state machine retries the task
 * (statemachines/definition.ts TIMEOUT_RETRY): every task is safe to run again after an attempt that
 * stopped anywhere.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger';

/** middy's plugin options: no early-timeout race (see above). */
export const MIDDY_OPTIONS = { timeoutEarlyInMillis: 0 } as const;

export function lambdaHandler<TEvent, TResult>(fn: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy(fn, MIDDY_OPTIONS).use(injectLambdaContext(logger, { clearState: true }));
}
