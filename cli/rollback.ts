/**
 * `remediate rollback`: put back what a change overwrote, through the workflow, never with the operator's own
 * credentials: the deny-all policy exempts only the workflow role and the break-glass role, so only the workflow can
 * undo it. The operator's proven identity is recorded as the actor.
 */
import { parseArgs } from 'node:util';
import { AuditStore } from '../lib/audit/store';
import { defaultClients } from '../lib/aws/clients';
import { RemediatorError } from '../lib/errors';
import { executionName } from '../lib/workflow/types';
import type { Command } from './command';
import { NotFoundError, UsageError } from './errors';
import type { CliIo } from './io';
import { startManualRequest } from './manual-request';
import { FOLLOW_OPTIONS, followWanted, reportStarted } from './run';
import { setting } from './settings';

async function rollback(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'audit-table': { type: 'string' }, reason: { type: 'string' }, ...FOLLOW_OPTIONS } });
  const [execution] = positionals;
  if (!execution) throw new UsageError('rollback needs <execution> (the name or ARN of the execution that made the change; see `remediate history --resource <arn>`)');
  followWanted(values, io);
  const store = new AuditStore(setting(io, 'REMEDIATOR_AUDIT_TABLE', values['audit-table']), defaultClients());
  const stateMachineArn = setting(io, 'REMEDIATOR_STATE_MACHINE_ARN', values['state-machine-arn']);
  const changeId = executionName(execution);
  const record = await store.getChange(changeId);
  if (!record) throw new NotFoundError(`execution ${changeId} made no change (no change record): find the change with \`remediate history --resource <arn>\``);
  if (record.status !== 'APPLIED') throw new RemediatorError(`change ${changeId} is ${record.status}${record.rollbackBy ? ` (rollback by ${record.rollbackBy})` : ''}: nothing to roll back`);
  const executionArn = await startManualRequest(io, stateMachineArn, {
    resourceArn: record.resourceArn,
    controlId: record.controlId,
    rollbackOf: changeId,
    account: record.accountId,
    ...(values.reason ? { reason: values.reason } : {}),
  });
  return reportStarted(io, executionArn, ` to roll back change ${changeId} on ${record.resourceArn}`, values);
}

export const rollbackCommand: Command = {
  name: 'rollback',
  synopsis: 'rollback <execution> [--reason <text>] [--follow | --no-follow] [--json]',
  summary: "put back what that execution's change overwrote (from its change record), through the workflow, recorded as you",
  help: `usage: remediate rollback <execution> [options]

Puts back what the change made by <execution> (its name or ARN) overwrote, byte for byte from its change record. The
rollback runs through the workflow (its role can undo a deny-all; yours cannot) and records you, as proven by STS,
as the one who asked. A change already rolled back, or being rolled back, is refused with who did it.

  --reason <text>           why, kept in the audit trail
  --follow | --no-follow    as for \`run\` (follow by default on a terminal); exit 0 when it ends ROLLED_BACK
  --json                    JSON lines, as for \`run\`
  --audit-table <name>      default: $REMEDIATOR_AUDIT_TABLE
  --state-machine-arn <arn> default: $REMEDIATOR_STATE_MACHINE_ARN

example:
  remediate rollback manual-3f2a9c0d1e4b5a6f7c8d9e0f --reason "the bucket serves the website" --follow
`,
  run: rollback,
};
