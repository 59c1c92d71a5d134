import { ResourceNotFoundError, RemediatorError, TransientAwsError } from '../errors';

const TRANSIENT = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'RequestTimeout',
  'RequestTimeoutException',
  'ProvisionedThroughputExceededException',
  'TimeoutError',
  'ECONNRESET',
]);

const NOT_FOUND = new Set(['NoSuchBucket', 'NoSuchEntity', 'NoSuchEntityException', 'ResourceNotFoundException', 'NotFoundException', 'NotFound']);

interface AwsLikeError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function awsErrorName(error: unknown): string {
  const e = error as AwsLikeError;
  return e?.name ?? e?.code ?? 'UnknownError';
}

/**
 * Turn an SDK error into the ASL's vocabulary: TransientAwsError is retried,
 * ResourceNotFoundError and the rest are caught into Record Failure.
 * Our own errors pass through unchanged.
 */
export function toRemediatorError(error: unknown, doing: string, context: Record<string, unknown> = {}): RemediatorError {
  if (error instanceof RemediatorError) return error;
  const name = awsErrorName(error);
  const status = (error as AwsLikeError)?.$metadata?.httpStatusCode ?? 0;
  const message = `${doing}: ${name}: ${(error as Error)?.message ?? String(error)}`;
  if (NOT_FOUND.has(name)) return new ResourceNotFoundError(message, { cause: error, context: { ...context, awsError: name } });
  if (TRANSIENT.has(name) || status >= 500 || (error as AwsLikeError)?.$retryable) {
    return new TransientAwsError(message, { cause: error, context: { ...context, awsError: name } });
  }
  return new RemediatorError(message, { cause: error, context: { ...context, awsError: name } });
}
