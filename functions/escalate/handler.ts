import { lambdaHandler } from '../../lib/lambda';
import { closeOpenRemediationsTask } from '../../lib/workflow/close-open-remediations';
import { dispatch } from '../../lib/workflow/dispatch';
import { escalateToNextLevelTask } from '../../lib/workflow/escalate-to-next-level';
import { escalateToOnCallTask } from '../../lib/workflow/escalate-to-on-call';
import { requestApprovalTask } from '../../lib/workflow/request-approval';

/** The states that talk to humans: Request Approval, Escalate To On-Call (both .waitForTaskToken), Escalate To Next Level, Close Open Remediations. */
export const handler = lambdaHandler(
  dispatch('escalate', {
    'request-approval': requestApprovalTask,
    'escalate-to-on-call': escalateToOnCallTask,
    'escalate-to-next-level': escalateToNextLevelTask,
    'close-open-remediations': closeOpenRemediationsTask,
  }),
);
