import { lambdaHandler } from '../../lib/lambda';
import { dispatch } from '../../lib/workflow/dispatch';
import { recordAndNotifyTask } from '../../lib/workflow/record-and-notify';
import { recordAndNotifyFailureTask } from '../../lib/workflow/record-and-notify-failure';
import { recordOutcomeTask } from '../../lib/workflow/record-outcome';

/** How a run ended: Record Outcome, Record And Notify, Record And Notify Failure. */
export const handler = lambdaHandler(
  dispatch('notify', {
    'record-outcome': recordOutcomeTask,
    'record-and-notify': recordAndNotifyTask,
    'record-and-notify-failure': recordAndNotifyFailureTask,
  }),
);
