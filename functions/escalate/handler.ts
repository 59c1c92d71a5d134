import { deps, lambdaHandler } from '../../lib/lambda';
import { escalate, type EscalateInput } from '../../lib/workflow/escalate';

/** Request Approval, Escalate To On-Call (both .waitForTaskToken), Escalate To Next Level, Close Open Remediations. */
export const handler = lambdaHandler(async (input: EscalateInput) =>
  escalate(input, { rules: deps.rules(), approvals: deps.approvals(), slack: deps.slack, sfn: deps.sfn, remediationRoleArn: deps.settings().remediationRoleArn, clients: deps.clients() }),
);
