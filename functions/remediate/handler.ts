import { lambdaHandler } from '../../lib/lambda';
import { applyCorrectiveControlTask } from '../../lib/workflow/apply-corrective-control';
import { archiveFindingTask } from '../../lib/workflow/archive-finding';
import { dispatch } from '../../lib/workflow/dispatch';
import { planCorrectiveControlTask } from '../../lib/workflow/plan-corrective-control';
import { rollBackChangeTask } from '../../lib/workflow/roll-back-change';

/** The states that read or write the resource: Plan Corrective Control, Apply Corrective Control, Roll Back Change, Archive Finding. */
export const handler = lambdaHandler(
  dispatch('remediate', {
    'plan-corrective-control': planCorrectiveControlTask,
    'apply-corrective-control': applyCorrectiveControlTask,
    'roll-back-change': rollBackChangeTask,
    'archive-finding': archiveFindingTask,
  }),
);
