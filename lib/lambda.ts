/**
 * The one wrapper every handler uses: middy with the structured logger's
 * Lambda context injected. Dependencies are not built here: each state asks
 * lib/runtime/ for what it calls, so a function bundles only those.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger';

export function lambdaHandler<TEvent, TResult>(fn: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy(fn).use(injectLambdaContext(logger, { clearState: true }));
}
