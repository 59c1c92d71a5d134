/**
 * `rules test <event.json>`: the normalized finding, the rules tried and the decision, without starting anything.
 * `rules lint [file]`: the rules file checked, with line numbers; exit 1 on an error.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { explainEvent, formatExplanation } from '../lib/rules/explain';
import { loadRules } from '../lib/rules/load';
import { formatProblems, lintRules } from '../lib/rules/lint';
import type { Command } from './command';
import { UsageError } from './errors';
import { jsonDocument, type CliIo } from './io';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

async function rules(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { rules: { type: 'string' }, account: { type: 'string' }, region: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const rulesPath = values.rules ?? io.env.REMEDIATOR_RULES_FILE ?? 'remediator.rules.yaml';
  if (sub === 'lint') {
    const path = positionals[0] ?? rulesPath;
    const result = lintRules(readText(path, 'the rules file'));
    if (values.json) io.stdout(jsonDocument(result.problems));
    else io.stdout(result.problems.length ? `${formatProblems(result.problems, path).join('\n')}\n` : `${path}: ok\n`);
    return result.ok ? 0 : 1;
  }
  if (sub === 'test') {
    const [eventPath] = positionals;
    if (!eventPath) throw new UsageError('rules test needs <event.json> (sample events are in events/<source>/)');
    let event: unknown;
    try {
      event = JSON.parse(readText(eventPath, 'the event'));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${eventPath} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    const region = values.region ?? io.env.AWS_REGION ?? 'us-east-1';
    const account = values.account ?? io.env.REMEDIATOR_ACCOUNT_ID;
    const explanation = explainEvent(event, { rules: loadRules(rulesPath), normalize: account ? { deployment: { accountId: account, region } } : {}, triage: { accountId: account ?? null } });
    io.stdout(values.json ? jsonDocument(explanation) : `${formatExplanation(explanation)}\n`);
    return explanation.kind === 'error' ? 1 : 0;
  }
  throw new UsageError('rules needs a subcommand: test <event.json> | lint [rules.yaml]');
}

export const rulesCommand: Command = {
  name: 'rules',
  synopsis: 'rules test <event.json> [--account <id>] [--json] | rules lint [rules.yaml] [--json]',
  summary: 'how an event would be judged (finding, rules tried, decision), starting nothing; or check a rules file',
  help: `usage: remediate rules test <event.json> [--account <id>] [--region <r>] [--rules <file>] [--json]
       remediate rules lint [rules.yaml] [--json]

test: normalizes the event as the workflow would, tries your rules in order and prints the finding, each rule tried
      and the decision; nothing is started and no AWS call is made. Exit 1 when the event would be refused.
lint: checks a rules file (schema, routes that can receive approvals name approvers, …) with line numbers.
      Exit 1 on an error.

  --rules <file>   default: $REMEDIATOR_RULES_FILE or remediator.rules.yaml
  --account <id>   the deployment's account (default: $REMEDIATOR_ACCOUNT_ID)
  --json           the explanation (test) or the problems (lint) as JSON

example:
  remediate rules test events/access-analyzer/s3-bucket-public.json --account 123456789012
`,
  run: rules,
};
