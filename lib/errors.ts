/**
 * One root error and its named subclasses. The `name` of each class is the
 * error name that the state machine matches in Retry / Catch, so renaming a
 * class is a change to the ASL contract (see statemachines/remediation.asl.json).
 *
 * Expected outcomes (already resolved, not applicable, allowed by a rule) are
 * data, not errors: only what stops the workflow is thrown.
 */
export type ErrorContext = Record<string, unknown>;

export class RemediatorError extends Error {
  override readonly name: string = 'RemediatorError';
  readonly context: ErrorContext;

  constructor(message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.context = options.context ?? {};
  }

  toJSON(): { name: string; message: string; context: ErrorContext } {
    return { name: this.name, message: this.message, context: this.context };
  }
}

/** The event is not something Remediator understands (unknown source, detail-type or resource type). */
export class UnsupportedEventError extends RemediatorError {
  override readonly name = 'UnsupportedEventError';
}

/** The event claims a known shape but breaks it (not JSON, missing or mistyped field). */
export class InvalidEventError extends RemediatorError {
  override readonly name = 'InvalidEventError';
}

/** A resource policy that cannot be parsed; `context.location` says where. */
export class PolicyParseError extends RemediatorError {
  override readonly name = 'PolicyParseError';
}

/** A fix that, re-analysed, still grants access outside the zone of trust. This is a bug. */
export class UnsafeFixError extends RemediatorError {
  override readonly name = 'UnsafeFixError';
}

/** The rules file is missing, not YAML, or does not match its schema. */
export class InvalidRulesError extends RemediatorError {
  override readonly name = 'InvalidRulesError';
}

/** No corrective control is registered under that id, or none handles the finding. */
export class ControlNotFoundError extends RemediatorError {
  override readonly name = 'ControlNotFoundError';
}

/** The resource named by the finding does not exist (any more). */
export class ResourceNotFoundError extends RemediatorError {
  override readonly name = 'ResourceNotFoundError';
}

/** A control could not apply its change; nothing, or only the backup, was written. */
export class ControlFailedError extends RemediatorError {
  override readonly name = 'ControlFailedError';
}

/** Throttling, 5xx, timeouts: worth a Retry. */
export class TransientAwsError extends RemediatorError {
  override readonly name = 'TransientAwsError';
}

/** The resource was re-checked and the check itself could not be completed. */
export class VerificationFailedError extends RemediatorError {
  override readonly name = 'VerificationFailedError';
}

/** A change record cannot be found or cannot be put back. */
export class RollbackFailedError extends RemediatorError {
  override readonly name = 'RollbackFailedError';
}

/** A Slack request whose signature or timestamp does not verify. */
export class InvalidSlackRequestError extends RemediatorError {
  override readonly name = 'InvalidSlackRequestError';
}

/** A Slack click from someone who is not an approver for that account. */
export class UnauthorizedApproverError extends RemediatorError {
  override readonly name = 'UnauthorizedApproverError';
}

/** The approval was already decided, has expired, or does not exist. */
export class ApprovalNotPendingError extends RemediatorError {
  override readonly name = 'ApprovalNotPendingError';
}

/** Another execution holds the lease on this resource (it is planning or writing): the ASL retries with backoff. */
export class ResourceBusyError extends RemediatorError {
  override readonly name = 'ResourceBusyError';
}

/** An automatic change would cut off more identities than its rule allows (`maxPrincipalsRemoved`): nothing was written; ask a human. */
export class ApprovalRequiredError extends RemediatorError {
  override readonly name = 'ApprovalRequiredError';
}

/** The live resource no longer matches the plan a human approved: nothing was written; ask again with the new plan. */
export class PlanChangedError extends RemediatorError {
  override readonly name = 'PlanChangedError';
}

/** The workflow state handed to a task does not parse: a bug or a hand-made execution input. */
export class InvalidStateError extends RemediatorError {
  override readonly name = 'InvalidStateError';
}

/** A manual request whose requester could not be proven (no valid signed identity): nothing is started or changed. */
export class UnauthorizedRequesterError extends RemediatorError {
  override readonly name = 'UnauthorizedRequesterError';
}

/** Credentials meant for a member account act in another account (GetCallerIdentity disagrees): nothing is written with them. */
export class WrongAccountError extends RemediatorError {
  override readonly name = 'WrongAccountError';
}

/** Sent through SendTaskFailure when a human rejects a change; the ASL catches it by name. */
export const APPROVAL_REJECTED = 'ApprovalRejected';

/** Sent through SendTaskFailure to a waiting approval or escalation when the source reports the finding resolved. */
export const FINDING_RESOLVED = 'FindingResolved';

/**
 * A Lambda invocation that ran past its function timeout: Lambda stops the sandbox (nothing of that attempt runs on)
 * and answers with this error type, which Step Functions' lambda:invoke integration reports as the error name.
 * The local function host answers the same way (local/function-host.ts).
 */
export const LAMBDA_TIMED_OUT = 'Sandbox.Timedout';

/**
 * What Step Functions has reported for unhandled Lambda failures it cannot name, a function timeout among them
 * (the name before Lambda reported `Sandbox.Timedout`; out-of-memory too): retried like a timeout, a few times.
 */
export const LAMBDA_UNKNOWN = 'Lambda.Unknown';

/**
 * The name of middy's own early-timeout error (`timeoutEarlyResponse`). lib/lambda.ts turns that timer off (a timeout
 * is Lambda's, which stops the sandbox), but a function deployed before that change may still answer with it.
 */
export const HANDLER_TIMEOUT = 'TimeoutError';

/** Serialize an error for a Step Functions task output or an audit record. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'UnknownError', message: String(error) };
}
