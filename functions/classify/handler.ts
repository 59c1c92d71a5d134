import { deps, lambdaHandler } from '../../lib/lambda';
import { classify, type ClassifyInput } from '../../lib/workflow/classify';

/** Classify Finding: normalize the event, triage it against the rules. */
export const handler = lambdaHandler(async (input: ClassifyInput) =>
  classify(input, {
    rules: deps.rules(),
    audit: deps.audit(),
    region: process.env.AWS_REGION ?? 'us-east-1',
    accountId: process.env.REMEDIATOR_ACCOUNT_ID ?? null,
    rescanWaitSeconds: deps.settings().rescanWaitSeconds,
  }),
);
