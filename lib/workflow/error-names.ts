/**
 * Error names of Step Functions itself, as the ASL and the code compare them.
 * Our own error names are the `name`s of the classes in lib/errors.ts (and its
 * exported constants); `errorName` reads one from its class.
 */
import type { RemediatorError } from '../errors';

export const STATES_ALL = 'States.ALL';
export const STATES_TIMEOUT = 'States.Timeout';

/** Errors of the Lambda service itself (not of our code), worth a retry. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** Errors of the states:startExecution integration (the Security Hub fan-out). */
export const START_EXECUTION_RETRYABLE = [
  'StepFunctions.ExecutionLimitExceededException',
  'StepFunctions.SdkClientException',
  'StepFunctions.AWSStepFunctionsException',
] as const;
export const EXECUTION_ALREADY_EXISTS = 'StepFunctions.ExecutionAlreadyExistsException';

/** The name the ASL matches for an error class: its instances' `name` (safe under minification, unlike `Class.name`). */
export function errorName(Class: new (message: string) => RemediatorError): string {
  return new Class('').name;
}
