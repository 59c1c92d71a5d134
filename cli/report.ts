/** How `run`, `rollback` and `status` report an execution: its timeline, live or past, and how it ended. */
import { SFNClient } from '@aws-sdk/client-sfn';
import { defaultClients } from '../lib/aws/clients';
import { executionName } from '../lib/workflow/types';
import { EXIT } from './errors';
import { watchExecution, type Ending } from './execution';
import { jsonLine, type CliIo } from './io';
import { COLOURED, PLAIN, formatEntry, type TimelineEntry } from './timeline';

export interface ReportOptions {
  follow: boolean;
  json: boolean;
  pollMs?: number;
}

const entryJson = (entry: TimelineEntry) => ({ type: 'state', at: entry.at.toISOString(), kind: entry.kind, state: entry.state, ...(entry.type ? { stateType: entry.type } : {}), notes: entry.notes });

/**
 * Print the timeline (as it happens when following) and the ending; text for people, JSON lines with `--json`
 * (`{"type":"state",…}` per entry, then one `{"type":"outcome",…}`). Returns the exit code the ending means.
 */
export async function reportExecution(io: CliIo, executionArn: string, options: ReportOptions): Promise<number> {
  const style = io.isTTY && !options.json ? COLOURED : PLAIN;
  let start: number | undefined;
  const onEntry = (entry: TimelineEntry) => {
    start ??= entry.at.getTime();
    io.stdout(options.json ? jsonLine(entryJson(entry)) : `${formatEntry(entry, start, style)}\n`);
  };
  const { ending } = await watchExecution(defaultClients().get(SFNClient), executionArn, { follow: options.follow, onEntry, ...(options.pollMs ? { pollMs: options.pollMs } : {}) });
  io.stdout(options.json ? jsonLine({ type: 'outcome', ...ending }) : endingText(ending));
  return ending.exitCode;
}

function endingText(ending: Ending): string {
  const lines = [`status: ${ending.status}${ending.error ? ` (${ending.error})` : ''}`];
  if (ending.exitCode === EXIT.RUNNING) lines.push(`follow it with: remediate status ${executionName(ending.executionArn)} --follow`);
  else lines.push(`outcome: ${ending.outcome ?? 'unknown'} — ${ending.headline}`);
  if (ending.changeId) lines.push(`change: ${ending.changeId} (undo it with: remediate rollback ${ending.changeId})`);
  return `${lines.join('\n')}\n`;
}
