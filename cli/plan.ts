/** `remediate plan`: the exact change a control would make, as a unified diff, and who loses access; writes nothing. */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { defaultClients } from '../lib/aws/clients';
import { describeLostAccess, whoLosesAccess } from '../lib/controls/blast-radius';
import { planDiff } from '../lib/controls/plan-diff';
import { getControl } from '../lib/controls/registry';
import { planChange } from '../lib/controls/runner';
import { loadRules } from '../lib/rules/load';
import { normalizeEvent } from '../lib/sources';
import { controlContext } from '../lib/workflow/context';
import type { Command } from './command';
import { UsageError } from './errors';
import { jsonDocument, type CliIo } from './io';
import { manualRequestEvent } from './manual-request';

async function plan(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { resource: { type: 'string' }, account: { type: 'string' }, rules: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [controlId] = positionals;
  if (!controlId || !values.resource) throw new UsageError('plan needs <control> and --resource <arn> (list the controls with `remediate controls`)');
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
  if (normalized.kind !== 'findings' || !normalized.findings[0]) throw new UsageError(`cannot plan for ${values.resource}: not a resource ARN Remediator handles`);
  const finding = normalized.findings[0];
  const rules = loadRules(values.rules ?? io.env.REMEDIATOR_RULES_FILE);
  const ctx = await controlContext(finding, rules, io.env.REMEDIATOR_REMEDIATION_ROLE_ARN ?? null, defaultClients());
  const result = await planChange(control.id, ctx);
  const diff = planDiff(result.before, result.after);
  const lost = whoLosesAccess(result.before, result.after, ctx.zone);
  if (values.json) {
    io.stdout(jsonDocument({ controlId: control.id, resourceArn: finding.resource.arn, applicable: result.applicable, reason: result.reason, summary: result.summary, before: result.before, after: result.after, diff, lost }));
    return 0;
  }
  io.stdout(`${control.id} on ${finding.resource.arn}\n${result.applicable ? 'WOULD CHANGE' : 'NO CHANGE'}: ${result.summary}\nreason: ${result.reason}\n`);
  if (diff) io.stdout(`\n${diff}\n`);
  // Entries that name nobody are settings (Block Public Access, …): shown apart, after those who lose something.
  const lines = describeLostAccess(lost.filter((entry) => entry.who.length));
  const settings = lost.filter((entry) => !entry.who.length).map((entry) => `  also changes ${entry.field}: ${entry.where}`);
  io.stdout(`\nwho loses access:${lines.length ? `\n${lines.map((line) => `  - ${line}`).join('\n')}` : ' nobody'}\n${settings.length ? `${settings.join('\n')}\n` : ''}`);
  return 0;
}

export const planCommand: Command = {
  name: 'plan',
  synopsis: 'plan <control> --resource <arn> [--account <id>] [--json]',
  summary: 'show the exact change a control would make (a unified diff) and who loses access; change nothing',
  help: `usage: remediate plan <control> --resource <arn> [options]

Reads the live resource and shows the change <control> would make, as a unified diff of each field it touches
(policies pretty-printed), and who loses access: the identities outside your zone of trust that the change cuts off,
and anyone inside it who loses something too. Nothing is written and no execution is started.

  --resource <arn>   the resource (required)
  --account <id>     the resource's account, when the ARN does not name it (S3); default: $REMEDIATOR_ACCOUNT_ID
  --rules <file>     the rules file that sets the zone of trust; default: $REMEDIATOR_RULES_FILE or remediator.rules.yaml
  --json             { controlId, resourceArn, applicable, reason, summary, before, after, diff, lost }

example:
  remediate plan s3-deny-all-bucket-policy --resource arn:aws:s3:::my-public-bucket --account 123456789012
`,
  run: plan,
};
