import { deps, lambdaHandler } from '../../lib/lambda';
import type { TaskInput } from '../../lib/workflow/types';
import { notify } from '../../lib/workflow/notify';

/** Notify, Notify Resolved, Notify Failure: one message shape for every branch. */
export const handler = lambdaHandler(async (input: TaskInput) => notify(input, { slack: deps.slack, defaultChannel: deps.rules().routes.default.slackChannel }));
