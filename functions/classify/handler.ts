import { lambdaHandler } from '../../lib/lambda';
import { classifyFindingTask } from '../../lib/workflow/classify-finding';
import { dispatch } from '../../lib/workflow/dispatch';

/** Classify Finding: normalize the event, triage it against the rules. */
export const handler = lambdaHandler(dispatch('classify', { 'classify-finding': classifyFindingTask }));
