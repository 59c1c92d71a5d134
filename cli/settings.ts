/** Settings a command needs, from its flag or the environment, with an error that says where to get them. */
import type { CliIo } from './io';
import { UsageError } from './errors';

const WHERE: Record<string, { flag: string; hint: string }> = {
  REMEDIATOR_STATE_MACHINE_ARN: { flag: '--state-machine-arn', hint: 'run `remediate local` (it prints the exports) or read the deployed stack outputs' },
  REMEDIATOR_AUDIT_TABLE: { flag: '--audit-table', hint: 'run `remediate local` (it prints the exports) or read the deployed stack outputs (AuditTable)' },
};

export function setting(io: CliIo, name: keyof typeof WHERE, flag: string | undefined): string {
  const value = flag ?? io.env[name];
  if (value) return value;
  const where = WHERE[name]!;
  throw new UsageError(`${name} is not set: ${where.hint}, then export it or pass ${where.flag}`);
}

/** An execution named on the command line, by ARN or by name (then under the state machine's ARN). */
export function executionArnOf(io: CliIo, execution: string, stateMachineArnFlag: string | undefined): string {
  if (execution.startsWith('arn:')) {
    if (!/^arn:[\w-]+:states:[\w-]+:\d{12}:execution:[^:]+:[^:]+$/.test(execution)) {
      throw new UsageError(`"${execution}" is not an execution ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>)`);
    }
    return execution;
  }
  if (!/^[\w-]{1,80}$/.test(execution)) throw new UsageError(`"${execution}" is not an execution name or ARN`);
  return `${setting(io, 'REMEDIATOR_STATE_MACHINE_ARN', stateMachineArnFlag).replace(':stateMachine:', ':execution:')}:${execution}`;
}
