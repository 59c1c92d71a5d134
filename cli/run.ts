/** `remediate run`: start the workflow for one resource as a manual runbook, and follow it to its end. */
import { parseArgs } from 'node:util';
import { getControl } from '../lib/controls/registry';
import type { Mode } from '../lib/finding';
import { executionName } from '../lib/workflow/types';
import type { Command } from './command';
import { EXIT, UsageError } from './errors';
import { jsonLine, type CliIo } from './io';
import { startManualRequest } from './manual-request';
import { reportExecution } from './report';
import { setting } from './settings';

/** `--follow` / `--no-follow`; by default, follow when stdout is a terminal. */
export function followWanted(values: { follow?: boolean; 'no-follow'?: boolean }, io: CliIo): boolean {
  if (values.follow && values['no-follow']) throw new UsageError('choose one of --follow and --no-follow');
  if (values.follow) return true;
  if (values['no-follow']) return false;
  return io.isTTY === true;
}

export const FOLLOW_OPTIONS = {
  follow: { type: 'boolean' },
  'no-follow': { type: 'boolean' },
  json: { type: 'boolean', default: false },
  'state-machine-arn': { type: 'string' },
} as const;

/** After a start: follow the execution to its end, or say how to. */
export async function reportStarted(io: CliIo, executionArn: string, what: string, values: { follow?: boolean; 'no-follow'?: boolean; json?: boolean }): Promise<number> {
  const follow = followWanted(values, io);
  io.stdout(values.json ? jsonLine({ type: 'started', executionArn }) : `started ${executionArn}${what}\n`);
  if (!follow) {
    if (!values.json) io.stdout(`follow it with: remediate status ${executionName(executionArn)} --follow\n`);
    return EXIT.OK;
  }
  return reportExecution(io, executionArn, { follow: true, json: values.json === true });
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      resource: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      approve: { type: 'boolean', default: false },
      reason: { type: 'string' },
      account: { type: 'string' },
      ...FOLLOW_OPTIONS,
    },
  });
  const [controlId, extra] = positionals;
  if (!controlId || !values.resource) throw new UsageError('run needs <control> and --resource <arn> (list the controls with `remediate controls`)');
  if (extra) throw new UsageError(`run takes one control, not "${extra}" as well`);
  if (values['dry-run'] && values.approve) throw new UsageError('choose one of --dry-run and --approve');
  followWanted(values, io);
  getControl(controlId);
  const stateMachineArn = setting(io, 'REMEDIATOR_STATE_MACHINE_ARN', values['state-machine-arn']);
  const mode: Mode | undefined = values['dry-run'] ? 'dry-run' : values.approve ? 'approve' : undefined;
  const executionArn = await startManualRequest(io, stateMachineArn, {
    controlId,
    resourceArn: values.resource,
    ...(mode ? { mode } : {}),
    ...(values.reason ? { reason: values.reason } : {}),
    ...(values.account ? { account: values.account } : {}),
  });
  return reportStarted(io, executionArn, '', values);
}

export const runCommand: Command = {
  name: 'run',
  synopsis: 'run <control> --resource <arn> [--dry-run | --approve] [--reason <text>] [--follow | --no-follow] [--json]',
  summary: 'start the remediation workflow for one resource (a manual runbook, signed with your AWS credentials) and follow it',
  help: `usage: remediate run <control> --resource <arn> [options]

Starts the remediation workflow for one resource as a manual runbook. The request is signed with your own AWS
credentials: the workflow asks STS who you are and records that, never a typed name. The workflow decides as for any
finding (your rules' mode), unless you ask for --dry-run or --approve.

  --resource <arn>          the resource to remediate (required)
  --dry-run                 compute and show the change, write nothing
  --approve                 ask the route's approvers in Slack before writing
  --reason <text>           why (a ticket, an incident), kept in the audit trail
  --account <id>            the resource's account, when the ARN does not name it (S3)
  --follow                  print the execution's timeline as it runs and wait for its end (default on a terminal)
  --no-follow               print the execution ARN and return at once (exit 0 once started)
  --json                    JSON lines: {"type":"started"}, one {"type":"state"} per timeline entry, {"type":"outcome"}
  --state-machine-arn <arn> default: $REMEDIATOR_STATE_MACHINE_ARN

example:
  remediate run s3-deny-all-bucket-policy --resource arn:aws:s3:::my-public-bucket --reason INC-4242 --follow
`,
  run,
};
