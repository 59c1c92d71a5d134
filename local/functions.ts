/**
 * The handlers the local stack hosts, by serverless.yml function key. The
 * keys must match serverless.yml (a deploy test checks both lists agree).
 */
import { handler as classify } from '../functions/classify/handler';
import { handler as escalate } from '../functions/escalate/handler';
import { handler as notify } from '../functions/notify/handler';
import { handler as record } from '../functions/record/handler';
import { handler as remediate } from '../functions/remediate/handler';
import { handler as slackInteraction } from '../functions/slack-interaction/handler';
import { handler as verify } from '../functions/verify/handler';
import type { HttpHandler, LambdaHandler } from './function-host';

export const TASK_FUNCTIONS: Record<string, LambdaHandler> = { classify, remediate, verify, escalate, notify, record };
export const HTTP_FUNCTIONS: Record<string, { route: string; handler: HttpHandler }> = {
  slackInteraction: { route: 'POST /slack/interactions', handler: slackInteraction as unknown as HttpHandler },
};
