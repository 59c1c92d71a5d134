/**
 * The CLI's own errors and its exit codes. Errors from lib/ (ControlNotFoundError, TransientAwsError, …) keep
 * their names; these two are about how the CLI was called.
 */
import { RemediatorError } from '../lib/errors';

/** Bad arguments or a missing setting: nothing was started. */
export class UsageError extends RemediatorError {
  override readonly name = 'UsageError';
}

/** The execution or change named on the command line does not exist. */
export class NotFoundError extends RemediatorError {
  override readonly name = 'NotFoundError';
}

/** One meaning per exit code, for every command (listed in every `--help` and the README). */
export const EXIT = {
  /** Done as asked: the execution ended RESOLVED (or DRY_RUN / ROLLED_BACK when that was asked), or the data was printed. */
  OK: 0,
  /** Failed: the execution failed with a named error, or the command hit an error (printed with its name). */
  FAILED: 1,
  /** Usage: bad arguments or a missing setting; nothing was started. */
  USAGE: 2,
  /** The execution ended without resolving the finding (escalated, acknowledged, rejected, notified, …). */
  NOT_RESOLVED: 3,
  /** Not found: no such execution, change or history. */
  NOT_FOUND: 4,
  /** Still running (`status` without `--follow`). */
  RUNNING: 5,
} as const;

export const EXIT_CODES_HELP = `exit codes: 0 done (RESOLVED, or the dry run / rollback asked for) · 1 failed (named error) · 2 usage
            3 ended not resolved (escalated, acknowledged, rejected, notified…) · 4 not found · 5 still running`;

/** The exit code for an error that reached the command table. */
export function exitCodeOfError(error: unknown): number {
  if (error instanceof UsageError) return EXIT.USAGE;
  if (error instanceof NotFoundError) return EXIT.NOT_FOUND;
  const err = error as { name?: string; code?: string };
  if (err.code?.startsWith('ERR_PARSE_ARGS')) return EXIT.USAGE;
  if (err.name === 'ExecutionDoesNotExist') return EXIT.NOT_FOUND;
  return EXIT.FAILED;
}
