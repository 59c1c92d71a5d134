import { deps, lambdaHandler } from '../../lib/lambda';
import type { TaskInput } from '../../lib/workflow/types';
import { recordOutcome } from '../../lib/workflow/record';

/** Record Outcome, Record Failure. */
export const handler = lambdaHandler(async (input: TaskInput) => recordOutcome(input, { audit: deps.audit() }));
