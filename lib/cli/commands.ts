/**
 * The `remediate` CLI's commands, as functions of (argv, io) so that tests
 * call them in-process. The same SDK calls work against a deployed stack and
 * the local stack (REMEDIATOR_AWS_ENDPOINT).
 *
 *   remediate run <control> --resource <arn> [--dry-run | --approve] [--reason …]
 *   remediate plan <control> --resource <arn>
 *   remediate rollback <execution>
 *   remediate status <execution>
 *   remediate controls
 *   remediate analyze <policy.json> --account <id> [--org <id> --org-accounts <ids>] [--type s3|kms|…] [--json]
 *   remediate local
 */
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AuditStore } from '../audit/store';
import { clientConfig } from '../aws/clients';
import { CONTROLS, getControl } from '../controls/registry';
import { planChange, rollbackChange } from '../controls/runner';
import { RemediatorError } from '../errors';
import { FindingSchema, type Mode } from '../finding';
import { loadRules } from '../rules/load';
import { runAnalyzeCommand } from '../policy/cli';
import { normalizeEvent } from '../sources';
import { MANUAL_DETAIL_TYPE, MANUAL_SOURCE } from '../sources/manual';
import { controlContext } from '../workflow/context';
import { executionName } from '../workflow/types';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export const defaultIo = (): CliIo => ({
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
});

class UsageError extends RemediatorError {
  override readonly name = 'UsageError';
}

const USAGE = `usage: remediate <command> [options]

  run <control> --resource <arn> [--dry-run | --approve] [--reason <text>] [--requested-by <who>]
                       start the remediation workflow for one resource (a manual runbook)
  plan <control> --resource <arn>
                       show the exact change a control would make, change nothing
  rollback <execution> put back what that execution's change overwrote (from its change record)
  status <execution>   how an execution is doing, or how it ended
  controls             list the corrective controls and the IAM actions each needs
  analyze <policy.json> --account <id> [--org <id> --org-accounts <ids>] [--type s3|kms|…] [--json]
                       who outside the zone of trust a resource policy lets in
  local                start the local stack and keep it running until Ctrl-C

Settings come from the environment: REMEDIATOR_STATE_MACHINE_ARN, REMEDIATOR_AUDIT_TABLE,
AWS_REGION, REMEDIATOR_RULES_FILE, and REMEDIATOR_AWS_ENDPOINT for the local stack.
`;

function setting(io: CliIo, name: string, flag: string | undefined): string {
  const value = flag ?? io.env[name];
  if (!value) throw new UsageError(`${name} is not set (or pass the matching flag)`);
  return value;
}

/** A manual request, as an EventBridge event of source remediator.manual: validated like any other source. */
export function manualRequestEvent(args: {
  controlId: string;
  resourceArn: string;
  mode?: Mode;
  requestedBy: string;
  reason?: string;
  account: string;
  region: string;
  now?: Date;
}): Record<string, unknown> {
  const time = (args.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const id = createHash('sha256').update(`${args.controlId}|${args.resourceArn}|${args.requestedBy}|${time}`).digest('hex').slice(0, 32);
  return {
    version: '0',
    id,
    source: MANUAL_SOURCE,
    'detail-type': MANUAL_DETAIL_TYPE,
    account: args.account,
    region: args.region,
    time,
    resources: [args.resourceArn],
    detail: {
      resourceArn: args.resourceArn,
      controlId: args.controlId,
      ...(args.mode ? { mode: args.mode } : {}),
      requestedBy: args.requestedBy,
      ...(args.reason ? { reason: args.reason } : {}),
    },
  };
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
      'requested-by': { type: 'string' },
      account: { type: 'string' },
      'state-machine-arn': { type: 'string' },
    },
  });
  const [controlId] = positionals;
  if (!controlId || !values.resource) throw new UsageError('run needs <control> and --resource <arn>');
  if (values['dry-run'] && values.approve) throw new UsageError('choose one of --dry-run and --approve');
  getControl(controlId);
  const stateMachineArn = setting(io, 'REMEDIATOR_STATE_MACHINE_ARN', values['state-machine-arn']);
  const [, , , region = clientConfig().region, account = ''] = stateMachineArn.split(':');
  const event = manualRequestEvent({
    controlId,
    resourceArn: values.resource,
    mode: values['dry-run'] ? 'dry-run' : values.approve ? 'approve' : undefined,
    requestedBy: values['requested-by'] ?? `cli:${userInfo().username}`,
    reason: values.reason,
    account: values.account ?? account,
    region,
  });
  normalizeEvent(event, {}); // the same validation the workflow applies (a manual request needs no deployment facts): fail here, before starting anything
  const started = await new SFNClient(clientConfig()).send(
    new StartExecutionCommand({ stateMachineArn, name: `manual-${String(event.id).slice(0, 24)}`, input: JSON.stringify(event) }),
  );
  io.stdout(`started ${started.executionArn}\nfollow it with: remediate status ${executionName(started.executionArn ?? '')}\n`);
  return 0;
}

async function plan(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { resource: { type: 'string' }, account: { type: 'string' } } });
  const [controlId] = positionals;
  if (!controlId || !values.resource) throw new UsageError('plan needs <control> and --resource <arn>');
  const control = getControl(controlId);
  const event = manualRequestEvent({
    controlId,
    resourceArn: values.resource,
    mode: 'dry-run',
    requestedBy: 'cli:plan',
    account: values.account ?? io.env.REMEDIATOR_ACCOUNT_ID ?? '000000000000',
    region: clientConfig().region,
  });
  const normalized = normalizeEvent(event, {});
  if (normalized.kind !== 'findings' || !normalized.findings[0]) throw new UsageError(`cannot plan for ${values.resource}`);
  const finding = normalized.findings[0];
  const rules = loadRules();
  const result = await planChange(control.id, controlContext(finding, rules, io.env.REMEDIATOR_REMEDIATION_ROLE_ARN ?? null));
  io.stdout(`${control.id} on ${finding.resource.arn}\n${result.applicable ? 'WOULD CHANGE' : 'NO CHANGE'}: ${result.summary}\nreason: ${result.reason}\n`);
  for (const field of Object.keys({ ...result.before, ...result.after })) {
    io.stdout(`\n--- ${field} (before)\n${result.before[field] ?? '(none)'}\n+++ ${field} (after)\n${result.after[field] ?? '(none)'}\n`);
  }
  return 0;
}

async function rollback(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'audit-table': { type: 'string' }, 'requested-by': { type: 'string' } } });
  const [execution] = positionals;
  if (!execution) throw new UsageError('rollback needs <execution> (its name or ARN)');
  const store = new AuditStore(setting(io, 'REMEDIATOR_AUDIT_TABLE', values['audit-table']));
  const changeId = executionName(execution);
  const record = await store.getChange(changeId);
  if (!record) throw new RemediatorError(`execution ${changeId} made no change (no change record)`);
  const finding = FindingSchema.parse({
    id: record.findingId,
    source: 'manual',
    type: 'Rollback',
    status: 'ACTIVE',
    severity: 'MEDIUM',
    resource: { arn: record.resourceArn, type: record.resourceType, accountId: record.accountId, region: record.region },
    observedAt: new Date().toISOString(),
    raw: { eventId: changeId, source: 'remediator.cli' },
  });
  const rules = loadRules();
  const restored = await rollbackChange({
    ctx: controlContext(finding, rules, null),
    store,
    changeId,
    actor: values['requested-by'] ?? `cli:${userInfo().username}`,
  });
  io.stdout(`${restored.resourceArn}: restored the state saved by ${changeId} (${Object.keys(restored.before).join(', ')}); record is ${restored.status}\n`);
  return 0;
}

async function status(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'state-machine-arn': { type: 'string' }, 'audit-table': { type: 'string' } } });
  const [execution] = positionals;
  if (!execution) throw new UsageError('status needs <execution> (its name or ARN)');
  const executionArn = execution.startsWith('arn:')
    ? execution
    : setting(io, 'REMEDIATOR_STATE_MACHINE_ARN', values['state-machine-arn']).replace(':stateMachine:', ':execution:') + `:${execution}`;
  const description = await new SFNClient(clientConfig()).send(new DescribeExecutionCommand({ executionArn }));
  io.stdout(`${executionArn}\nstatus: ${description.status}${description.error ? ` (${description.error})` : ''}\n`);
  const table = values['audit-table'] ?? io.env.REMEDIATOR_AUDIT_TABLE;
  if (table) {
    const store = new AuditStore(table);
    const outcome = await store.getOutcome(executionName(executionArn));
    if (outcome) io.stdout(`outcome: ${String(outcome.outcome)} — ${String(outcome.headline)}\n`);
    const change = await store.getChange(executionName(executionArn));
    if (change) io.stdout(`change: ${change.controlId} on ${change.resourceArn}, ${change.status}, by ${change.actor}\n`);
  }
  return 0;
}

async function controls(_argv: string[], io: CliIo): Promise<number> {
  for (const control of CONTROLS) {
    io.stdout(`${control.id}\n  ${control.description}\n  handles: ${control.handles.resourceTypes.join(', ')}\n  IAM: ${control.permissions.join(', ')}\n`);
  }
  return 0;
}

async function local(_argv: string[], io: CliIo): Promise<number> {
  const { startLocalStack } = await import('../../local/stack');
  const stack = await startLocalStack({ log: (line) => io.stdout(`${line}\n`) });
  io.stdout(
    `\nlocal stack is up (Ctrl-C stops it):\n` +
      `  export REMEDIATOR_AWS_ENDPOINT=${stack.endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=${stack.region}\n` +
      `  export REMEDIATOR_STATE_MACHINE_ARN=${stack.stateMachineArn} REMEDIATOR_AUDIT_TABLE=${stack.auditTable}\n` +
      `  Slack stand-in: ${stack.slack.url}/_recorded   interactions: ${stack.interactionsUrl}\n`,
  );
  await new Promise(() => undefined);
  return 0;
}

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  run,
  plan,
  rollback,
  status,
  controls,
  local,
  analyze: (argv, io) => runAnalyzeCommand(argv, { stdout: io.stdout, stderr: io.stderr }),
};

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return command ? 0 : 2;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    io.stderr(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await handler(rest, io);
  } catch (error) {
    const err = error as Error;
    io.stderr(`remediate ${command}: ${err.name}: ${err.message}\n`);
    return err instanceof UsageError || err.name === 'TypeError' || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  }
}
