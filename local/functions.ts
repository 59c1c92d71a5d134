/**
 * The handlers the local stack hosts, by serverless.yml function key. The
 * keys must match serverless.yml and lib/workflow/tasks.ts (deploy tests check all three agree).
 */
import { handler as classify } from '../functions/classify/handler';
import { handler as escalate } from '../functions/escalate/handler';
import { handler as notify } from '../functions/notify/handler';
import { handler as remediate } from '../functions/remediate/handler';
import { handler as slackInteraction } from '../functions/slack-interaction/handler';
import { handler as verify } from '../functions/verify/handler';
import type { TaskFunctionKey } from '../lib/workflow/tasks';
import type { HttpHandler, LambdaHandler } from './function-host';

export const TASK_FUNCTIONS: Record<TaskFunctionKey, LambdaHandler> = { classify, remediate, verify, escalate, notify };
export const HTTP_FUNCTIONS: Record<string, { route: string; handler: HttpHandler }> = {
  slackInteraction: { route: 'POST /slack/interactions', handler: slackInteraction as unknown as HttpHandler },
};
