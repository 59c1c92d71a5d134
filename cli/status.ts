/** `remediate status`: the timeline of a past (or running) execution, from its history, and how it ended. */
import { parseArgs } from 'node:util';
import { AuditStore } from '../lib/audit/store';
import { defaultClients } from '../lib/aws/clients';
import { executionName } from '../lib/workflow/types';
import type { Command } from './command';
import { UsageError } from './errors';
import { jsonLine, type CliIo } from './io';
import { reportExecution } from './report';
import { executionArnOf } from './settings';

async function status(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { follow: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, 'state-machine-arn': { type: 'string' }, 'audit-table': { type: 'string' } },
  });
  const [execution] = positionals;
  if (!execution) throw new UsageError('status needs <execution> (its name or ARN, as `remediate run` printed it)');
  const executionArn = executionArnOf(io, execution, values['state-machine-arn']);
  if (!values.json) io.stdout(`${executionArn}\n`);
  const code = await reportExecution(io, executionArn, { follow: values.follow, json: values.json });
  const table = values['audit-table'] ?? io.env.REMEDIATOR_AUDIT_TABLE;
  if (table) {
    // What the audit table kept of it: the change record, with who made it and where it stands now.
    const change = await new AuditStore(table, defaultClients()).getChange(executionName(executionArn));
    if (change) {
      const line = { changeId: change.changeId, controlId: change.controlId, resourceArn: change.resourceArn, status: change.status, actor: change.actor, ...(change.rolledBackBy ? { rolledBackBy: change.rolledBackBy } : {}) };
      io.stdout(values.json ? jsonLine({ type: 'change', ...line }) : `change record: ${change.controlId} on ${change.resourceArn}, ${change.status}, by ${change.actor}${change.rolledBackBy ? `, rolled back by ${change.rolledBackBy}` : ''}\n`);
    }
  }
  return code;
}

export const statusCommand: Command = {
  name: 'status',
  synopsis: 'status <execution> [--follow] [--json]',
  summary: 'the timeline of an execution (each state, what it decided or changed) and how it ended',
  help: `usage: remediate status <execution> [options]

Prints the timeline of an execution (its name or ARN) from its Step Functions history: each state entered, with
its offset from the start, what it decided or changed (decision, plan, change id, verification, human answers,
errors), and how it ended, exactly as \`run --follow\` printed it live; then its change record, if it made one.

  --follow                  keep printing until a running execution ends
  --json                    JSON lines: one {"type":"state"} per timeline entry, {"type":"outcome"}, {"type":"change"}
  --state-machine-arn <arn> to name an execution by its name; default: $REMEDIATOR_STATE_MACHINE_ARN
  --audit-table <name>      to print its change record; default: $REMEDIATOR_AUDIT_TABLE

The exit code is the run's: 0 when it ended RESOLVED (or the dry run / rollback it was), 5 while it runs.

example:
  remediate status manual-3f2a9c0d1e4b5a6f7c8d9e0f
`,
  run: status,
};
