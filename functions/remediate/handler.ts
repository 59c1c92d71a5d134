import { deps, lambdaHandler } from '../../lib/lambda';
import type { TaskInput } from '../../lib/workflow/types';
import { remediate, type RemediateOperation } from '../../lib/workflow/remediate';

/** Plan Corrective Control, Apply Corrective Control, Roll Back Change, Archive Finding. */
export const handler = lambdaHandler(async (input: TaskInput & { operation: RemediateOperation }) =>
  remediate(input, {
    rules: deps.rules(),
    audit: deps.audit(),
    remediationRoleArn: deps.settings().remediationRoleArn, clients: deps.clients(),
    rescan: deps.settings().accessAnalyzerRescan,
  }),
);
