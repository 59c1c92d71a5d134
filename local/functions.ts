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
/** The HTTP API routes of each function, as serverless.yml declares them (`{name}`: a path parameter). */
export const HTTP_FUNCTIONS: Record<string, { route: string | readonly string[]; handler: HttpHandler }> = {
  slackInteraction: {
    // Slack's clicks, and the signed approval links of the SNS fallback (GET: confirmation page, POST: decide).
    route: ['POST /slack/interactions', 'GET /approvals/{approvalId}/{action}', 'POST /approvals/{approvalId}/{action}'],
    handler: slackInteraction as unknown as HttpHandler,
  },
};
