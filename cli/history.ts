/** `remediate history --resource <arn>`: what Remediator decided, changed, verified, and what people did, newest first. */
import { parseArgs } from 'node:util';
import { resourceHistory, type HistoryEntry } from '../lib/audit/history';
import { defaultClients } from '../lib/aws/clients';
import { planDiff } from '../lib/controls/plan-diff';
import { executionName } from '../lib/workflow/types';
import type { Command } from './command';
import { EXIT, UsageError } from './errors';
import { jsonDocument, type CliIo } from './io';
import { setting } from './settings';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO date or time (`2026-12-01`, `2026-12-01T08:00:00Z`), or a duration back from now (`30m`, `12h`, `7d`). */
export function parseSince(text: string, now = new Date()): Date {
  const relative = /^(\d{1,5})([mhd])$/.exec(text);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNITS[relative[2]!]!);
  const at = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw new UsageError(`--since "${text}" is neither an ISO date/time (2026-12-01, 2026-12-01T08:00:00Z) nor a duration (30m, 12h, 7d)`);
  return new Date(at);
}

const pad = (text: string, width: number): string => text.padEnd(width);
const indent = (text: string, prefix: string): string => text.split('\n').map((line) => `${prefix}${line}`).join('\n');

function entryText(entry: HistoryEntry): string {
  const head = `${entry.at}  ${pad(entry.kind, 12)}  ${entry.summary}`;
  const lines = [head, `${' '.repeat(entry.at.length + 2)}${pad('', 12)}  execution ${executionName(entry.executionArn)}${entry.findingId ? `, finding ${entry.findingId}` : ''}`];
  const prefix = ' '.repeat(entry.at.length + 16);
  if (entry.decision?.action) lines.push(`${prefix}decision ${entry.decision.action}${entry.decision.ruleId ? ` (rule ${entry.decision.ruleId})` : ''}`);
  if (entry.error) lines.push(`${prefix}error ${entry.error.name}: ${entry.error.message.split('\n')[0]}`);
  if (entry.kind === 'change' && entry.change) {
    const diff = planDiff(entry.change.before, entry.change.after);
    if (diff) lines.push(indent(diff, prefix));
  }
  return lines.join('\n');
}

async function history(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { resource: { type: 'string' }, finding: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean', default: false }, 'audit-table': { type: 'string' } },
  });
  if (positionals.length) throw new UsageError(`history takes no positional argument ("${positionals[0]}"): name the resource with --resource <arn>`);
  if (!values.resource) throw new UsageError('history needs --resource <arn> (the resource whose history you want; --finding narrows it to one finding)');
  if (!values.resource.startsWith('arn:')) throw new UsageError(`--resource "${values.resource}" is not an ARN`);
  const since = values.since === undefined ? undefined : parseSince(values.since);
  const table = setting(io, 'REMEDIATOR_AUDIT_TABLE', values['audit-table']);
  const entries = await resourceHistory(table, defaultClients(), {
    resourceArn: values.resource,
    ...(values.finding ? { findingId: values.finding } : {}),
    ...(since ? { since } : {}),
  });
  if (values.json) {
    io.stdout(jsonDocument(entries));
    return entries.length ? EXIT.OK : EXIT.NOT_FOUND;
  }
  if (!entries.length) {
    io.stderr(`no history for ${values.resource}${values.finding ? ` and finding ${values.finding}` : ''}${since ? ` since ${since.toISOString()}` : ''}: Remediator has recorded nothing about it (check the ARN, or widen --since)\n`);
    return EXIT.NOT_FOUND;
  }
  io.stdout(`history of ${values.resource}: ${entries.length} entries, newest first\n\n${entries.map(entryText).join('\n\n')}\n`);
  return EXIT.OK;
}

export const historyCommand: Command = {
  name: 'history',
  synopsis: 'history --resource <arn> [--finding <id>] [--since <iso|7d>] [--json]',
  summary: 'every decision, change (before/after), verification, human answer, rollback and failure for a resource',
  help: `usage: remediate history --resource <arn> [options]

Everything the audit table holds about one resource, across executions, newest first: what triage decided (and by
which rule), each change with the exact before and after (as a diff), verifications, human answers (approvals,
acknowledgements, rejections, escalations), rollbacks with who asked for them, and failures.

  --resource <arn>      the resource (required)
  --finding <id>        only what concerns this finding
  --since <iso|dur>     only what happened since then: 2026-12-01, 2026-12-01T08:00:00Z, or 30m, 12h, 7d back from now
  --json                [{ at, kind, executionArn, findingId, summary, outcome?, decision?, change?, by?, error? }]
  --audit-table <name>  default: $REMEDIATOR_AUDIT_TABLE

Exit 4 when there is nothing to show.

example:
  remediate history --resource arn:aws:s3:::my-public-bucket --since 7d
`,
  run: history,
};
