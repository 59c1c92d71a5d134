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
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AuditStore } from '../audit/store';
import { defaultClients } from '../aws/clients';
import { CONTROLS, getControl } from '../controls/registry';
import { planChange } from '../controls/runner';
import { requestDigest, signIdentityProof, type IdentityProof } from '../requests/identity';
import { RemediatorError } from '../errors';
import { FindingSchema, type Mode } from '../finding';
import { loadRules } from '../rules/load';
import { explainEvent, formatExplanation } from '../rules/explain';
import { formatProblems, lintRules } from '../rules/lint';
import { CONTROL_MAPPINGS } from '../controls/mapping';
import { readFileSync } from 'node:fs';
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

  run <control> --resource <arn> [--dry-run | --approve] [--reason <text>]
                       start the remediation workflow for one resource (a manual runbook), signed with
                       your AWS credentials: the workflow records who you are from STS
  plan <control> --resource <arn>
                       show the exact change a control would make, change nothing
  rollback <execution> put back what that execution's change overwrote (from its change record), through
                       the workflow (its role can undo a deny-all; yours cannot), recorded as you
  status <execution>   how an execution is doing, or how it ended
  controls [--json]    list the corrective controls, what they handle and the IAM actions each needs
  rules test <event.json> [--account <id>] [--json]
                       how an event would be judged (finding, rules tried, decision), starting nothing
  rules lint [rules.yaml]
                       check a rules file, with line numbers (exit 1 on an error)
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

/** A manual request, as an EventBridge-shaped event of source remediator.manual: validated like any other source. */
export function manualRequestEvent(args: {
  controlId?: string;
  resourceArn: string;
  mode?: Mode;
  reason?: string;
  rollbackOf?: string;
  nonce: string;
  identity?: IdentityProof;
  account: string;
  region: string;
  now?: Date;
}): Record<string, unknown> {
  const time = (args.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const id = createHash('sha256').update(`${args.controlId ?? ''}|${args.resourceArn}|${args.rollbackOf ?? ''}|${args.nonce}`).digest('hex').slice(0, 32);
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
      ...(args.controlId ? { controlId: args.controlId } : {}),
      ...(args.mode ? { mode: args.mode } : {}),
      ...(args.reason ? { reason: args.reason } : {}),
      ...(args.rollbackOf ? { rollbackOf: args.rollbackOf } : {}),
      nonce: args.nonce,
      ...(args.identity ? { identity: args.identity } : {}),
    },
  };
}

/**
 * Start a manual request as an execution, signed with the caller's own AWS credentials: the workflow asks STS who
 * signed it (lib/requests/identity.ts), so the requester in the audit trail is the caller's real identity.
 */
async function startManualRequest(io: CliIo, stateMachineArn: string, request: { controlId?: string; resourceArn: string; mode?: Mode; reason?: string; rollbackOf?: string; account?: string }): Promise<string> {
  const [, partition = 'aws', , region = defaultClients().config.region, account = ''] = stateMachineArn.split(':');
  const nonce = randomBytes(16).toString('hex');
  const draft = manualRequestEvent({ ...request, nonce, account: request.account ?? account, region });
  // The same validation the workflow applies: fail here, before starting anything.
  const normalized = normalizeEvent(draft, {});
  if (normalized.kind !== 'findings' || !normalized.findings[0]) throw new UsageError(`cannot ask for ${request.resourceArn}`);
  const resourceArn = normalized.findings[0].resource.arn;
  const sfn = defaultClients().get(SFNClient);
  const credentials = await sfn.config.credentials();
  const endpoint = io.env.REMEDIATOR_AWS_ENDPOINT ?? `https://sts.${region}.${partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
  const intent = { resourceArn, nonce, ...(request.controlId ? { controlId: request.controlId } : {}), ...(request.mode ? { mode: request.mode } : {}), ...(request.reason ? { reason: request.reason } : {}), ...(request.rollbackOf ? { rollbackOf: request.rollbackOf } : {}) };
  const identity = await signIdentityProof({ credentials, region, endpoint, digest: requestDigest(intent) });
  const event = manualRequestEvent({ ...request, resourceArn, nonce, identity, account: request.account ?? account, region });
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `manual-${String(event.id).slice(0, 24)}`, input: JSON.stringify(event) }));
  return started.executionArn ?? '';
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
      'state-machine-arn': { type: 'string' },
    },
  });
  const [controlId] = positionals;
  if (!controlId || !values.resource) throw new UsageError('run needs <control> and --resource <arn>');
  if (values['dry-run'] && values.approve) throw new UsageError('choose one of --dry-run and --approve');
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
  io.stdout(`started ${executionArn}\nfollow it with: remediate status ${executionName(executionArn)}\n`);
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
    nonce: randomBytes(16).toString('hex'),
    account: values.account ?? io.env.REMEDIATOR_ACCOUNT_ID ?? '000000000000',
    region: defaultClients().config.region,
  });
  const normalized = normalizeEvent(event, {});
  if (normalized.kind !== 'findings' || !normalized.findings[0]) throw new UsageError(`cannot plan for ${values.resource}`);
  const finding = normalized.findings[0];
  const rules = loadRules();
  const result = await planChange(control.id, controlContext(finding, rules, io.env.REMEDIATOR_REMEDIATION_ROLE_ARN ?? null, defaultClients()));
  io.stdout(`${control.id} on ${finding.resource.arn}\n${result.applicable ? 'WOULD CHANGE' : 'NO CHANGE'}: ${result.summary}\nreason: ${result.reason}\n`);
  for (const field of Object.keys({ ...result.before, ...result.after })) {
    io.stdout(`\n--- ${field} (before)\n${result.before[field] ?? '(none)'}\n+++ ${field} (after)\n${result.after[field] ?? '(none)'}\n`);
  }
  return 0;
}

/**
 * Roll back through the workflow, never with the operator's own credentials: the deny-all policy exempts only the
 * workflow role and the break-glass role, so only the workflow can undo it. The operator's proven identity is
 * recorded as the actor.
 */
async function rollback(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'audit-table': { type: 'string' }, 'state-machine-arn': { type: 'string' }, reason: { type: 'string' } } });
  const [execution] = positionals;
  if (!execution) throw new UsageError('rollback needs <execution> (its name or ARN)');
  const store = new AuditStore(setting(io, 'REMEDIATOR_AUDIT_TABLE', values['audit-table']), defaultClients());
  const stateMachineArn = setting(io, 'REMEDIATOR_STATE_MACHINE_ARN', values['state-machine-arn']);
  const changeId = executionName(execution);
  const record = await store.getChange(changeId);
  if (!record) throw new RemediatorError(`execution ${changeId} made no change (no change record)`);
  if (record.status !== 'APPLIED') throw new RemediatorError(`change ${changeId} is ${record.status}${record.rollbackBy ? ` (rollback by ${record.rollbackBy})` : ''}: nothing to roll back`);
  const executionArn = await startManualRequest(io, stateMachineArn, {
    resourceArn: record.resourceArn,
    controlId: record.controlId,
    rollbackOf: changeId,
    account: record.accountId,
    ...(values.reason ? { reason: values.reason } : {}),
  });
  io.stdout(`started ${executionArn} to roll back change ${changeId} on ${record.resourceArn}\nfollow it with: remediate status ${executionName(executionArn)}\n`);
  return 0;
}

async function status(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'state-machine-arn': { type: 'string' }, 'audit-table': { type: 'string' } } });
  const [execution] = positionals;
  if (!execution) throw new UsageError('status needs <execution> (its name or ARN)');
  const executionArn = execution.startsWith('arn:')
    ? execution
    : setting(io, 'REMEDIATOR_STATE_MACHINE_ARN', values['state-machine-arn']).replace(':stateMachine:', ':execution:') + `:${execution}`;
  const description = await defaultClients().get(SFNClient).send(new DescribeExecutionCommand({ executionArn }));
  io.stdout(`${executionArn}\nstatus: ${description.status}${description.error ? ` (${description.error})` : ''}\n`);
  const table = values['audit-table'] ?? io.env.REMEDIATOR_AUDIT_TABLE;
  if (table) {
    const store = new AuditStore(table, defaultClients());
    const outcome = await store.getOutcome(executionName(executionArn));
    if (outcome) io.stdout(`outcome: ${String(outcome.outcome)} — ${String(outcome.headline)}\n`);
    const change = await store.getChange(executionName(executionArn));
    if (change) io.stdout(`change: ${change.controlId} on ${change.resourceArn}, ${change.status}, by ${change.actor}\n`);
  }
  return 0;
}

async function controls(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  if (values.json) {
    const catalog = CONTROLS.map((control) => ({
      id: control.id,
      description: control.description,
      resourceTypes: control.handles.resourceTypes,
      findingTypes: [...new Set([...(control.handles.findingTypes ?? []), ...CONTROL_MAPPINGS.filter((m) => m.controlId === control.id).map((m) => m.findingType)])],
      permissions: control.permissions,
    }));
    io.stdout(`${JSON.stringify(catalog, null, 2)}\n`);
    return 0;
  }
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

/**
 * `rules test <event.json>`: the normalized finding, the rules tried and the decision, without starting anything.
 * `rules lint [file]`: the rules file checked, with line numbers; exit 1 on an error.
 */
async function rulesCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { rules: { type: 'string' }, account: { type: 'string' }, region: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const rulesPath = values.rules ?? io.env.REMEDIATOR_RULES_FILE ?? 'remediator.rules.yaml';
  if (sub === 'lint') {
    const path = positionals[0] ?? rulesPath;
    const result = lintRules(readFileSync(path, 'utf8'));
    if (values.json) io.stdout(`${JSON.stringify(result.problems, null, 2)}\n`);
    else io.stdout(result.problems.length ? `${formatProblems(result.problems, path).join('\n')}\n` : `${path}: ok\n`);
    return result.ok ? 0 : 1;
  }
  if (sub === 'test') {
    const [eventPath] = positionals;
    if (!eventPath) throw new UsageError('rules test needs <event.json>');
    const event: unknown = JSON.parse(readFileSync(eventPath, 'utf8'));
    const region = values.region ?? io.env.AWS_REGION ?? 'us-east-1';
    const account = values.account ?? io.env.REMEDIATOR_ACCOUNT_ID;
    const explanation = explainEvent(event, { rules: loadRules(rulesPath), normalize: account ? { deployment: { accountId: account, region } } : {}, triage: { accountId: account ?? null } });
    io.stdout(values.json ? `${JSON.stringify(explanation, null, 2)}\n` : `${formatExplanation(explanation)}\n`);
    return explanation.kind === 'error' ? 1 : 0;
  }
  throw new UsageError('rules needs a subcommand: test <event.json> | lint [rules.yaml]');
}

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  rules: rulesCommand,
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
