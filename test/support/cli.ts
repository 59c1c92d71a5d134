/**
 * The remediate CLI run in process against a local stack, its output captured:
 * `runCli(stack, 'run', 's3-deny-all-bucket-policy', '--resource', arn)`.
 */
import { main, type CliIo } from '../../cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(stack: { stateMachineArn: string; auditTable: string }, ...argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    env: { ...process.env, REMEDIATOR_STATE_MACHINE_ARN: stack.stateMachineArn, REMEDIATOR_AUDIT_TABLE: stack.auditTable },
  };
  return { code: await main(argv, io), out, err };
}
