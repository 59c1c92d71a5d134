import { lambdaHandler } from '../../lib/lambda';
import { checkResolutionTask } from '../../lib/workflow/check-resolution';
import { dispatch } from '../../lib/workflow/dispatch';

/** Check Resolution: re-fetch the resource and re-check it. */
export const handler = lambdaHandler(dispatch('verify', { 'check-resolution': checkResolutionTask }));
