import { deps, lambdaHandler } from '../../lib/lambda';
import type { TaskInput } from '../../lib/workflow/types';
import { checkResolution } from '../../lib/workflow/verify';

/** Check Resolution: re-fetch the resource and re-check it. */
export const handler = lambdaHandler(async (input: TaskInput) =>
  checkResolution(input, { rules: deps.rules(), remediationRoleArn: deps.settings().remediationRoleArn, clients: deps.clients(), rescan: deps.settings().accessAnalyzerRescan }),
);
