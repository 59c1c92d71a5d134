/**
 * The timeline of an execution, as people read it: each state entered (with its offset from the start), what it
 * decided or changed when it exited (decision, plan, change id, verification, human answer, rollback, notification,
 * error), task failures, and how the execution ended. Built from the Step Functions execution history alone, so a
 * past run (`remediate status`) prints exactly what a followed one (`remediate run --follow`) printed live.
 * Shared by the CLI and the demo (local/demo.ts).
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

export type TimelineKind = 'entered' | 'exited' | 'failed' | 'ended';

export interface TimelineEntry {
  at: Date;
  kind: TimelineKind;
  /** The state (entered / exited / failed), or the execution's status (ended). */
  state: string;
  /** Task, Choice, Wait, … for an entered state. */
  type?: string;
  /** What the state produced, one line each (only for exits that produced something, failures and the end). */
  notes: string[];
}

export interface TimelineStyle {
  dim: (text: string) => string;
  red: (text: string) => string;
  green: (text: string) => string;
}

const plain = (text: string): string => text;
export const PLAIN: TimelineStyle = { dim: plain, red: plain, green: plain };
const ansi = (code: number) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;
export const COLOURED: TimelineStyle = { dim: ansi(2), red: ansi(31), green: ansi(32) };

type Json = Record<string, unknown>;

const parse = (text: string | undefined): Json => {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
  } catch {
    return {};
  }
};

const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const short = (text: string, max = 160): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const by = (answer: Json): string => (str(answer.decidedBy) ? ` by ${String(answer.decidedBy)}` : '') + (str(answer.decidedAt) ? ` at ${String(answer.decidedAt)}` : '');

/** One line per part of the run state a state added or changed, in the order the workflow produces them. */
const NOTES: readonly [key: string, describe: (value: Json) => string][] = [
  ['decision', (d) => `decision ${String(d.action)} (mode ${String(d.mode)}, rule ${String(d.ruleId)}${str(d.controlId) ? `, control ${String(d.controlId)}` : ''}): ${short(String(d.reason ?? ''))}`],
  ['plan', (p) => `plan: ${p.applicable === false ? 'nothing to change' : short(String(p.summary ?? ''))}`],
  ['change', (c) => `change ${String(c.status)}${str(c.changeId) ? ` ${String(c.changeId)}` : ''}${str(c.handledBy) ? ` (handled by ${String(c.handledBy)})` : ''}: ${short(String(c.summary ?? ''))}`],
  ['verification', (v) => `verification ${String(v.status)} (attempt ${String(v.attempt)}, ${String(v.attemptsLeft)} left): ${short(String(v.reason ?? ''))}`],
  ['approval', (a) => `approval ${String(a.outcome ?? a.Error ?? 'answered')}${by(a)}`],
  ['escalation', (e) => `escalation ${String(e.outcome ?? e.Error ?? 'answered')}${by(e)}`],
  ['rollback', (r) => `rollback of change ${String(r.changeId)}: ${String(r.status)}`],
  ['archive', (a) => `archive ${String(a.status)}: ${short(String(a.reason ?? ''))}`],
  ['notification', (n) => `notification ${String(n.outcome)}${n.delivered === false ? ' (not delivered)' : str(n.channel) ? ` to ${String(n.channel)}` : ''}`],
  ['error', (e) => `error ${String(e.Error)}: ${short(causeMessage(e.Cause))}`],
];

/** The message of a Step Functions error cause (a Lambda error's JSON, or plain text); never its stack trace. */
export function causeMessage(cause: unknown): string {
  if (typeof cause !== 'string') return JSON.stringify(cause ?? '');
  const parsed = parse(cause);
  return str(parsed.errorMessage) ?? str(parsed.message) ?? cause;
}

const isObject = (value: unknown): value is Json => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/**
 * What `after` holds that `before` did not (or held otherwise), as timeline notes. Compared as the notes read, so a
 * state that passes a part on re-serialized (keys reordered, fields dropped by its schema) adds no line.
 */
export function stateNotes(before: Json, after: Json): string[] {
  return NOTES.flatMap(([key, describe]) => {
    const value = after[key];
    if (!isObject(value)) return [];
    const note = describe(value);
    return isObject(before[key]) && describe(before[key]) === note ? [] : [note];
  });
}

const ENDED = new Map([
  ['ExecutionSucceeded', 'SUCCEEDED'],
  ['ExecutionFailed', 'FAILED'],
  ['ExecutionAborted', 'ABORTED'],
  ['ExecutionTimedOut', 'TIMED_OUT'],
]);

/** The timeline of a history (oldest first). Deterministic: a longer history of the same run extends the same list. */
export function timelineOf(history: readonly HistoryEvent[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let current: Json = {};
  for (const event of history) {
    const type = event.type ?? '';
    const at = event.timestamp ?? new Date(0);
    if (type === 'ExecutionStarted') current = parse(event.executionStartedEventDetails?.input);
    else if (type.endsWith('StateEntered') && event.stateEnteredEventDetails?.name) {
      entries.push({ at, kind: 'entered', state: event.stateEnteredEventDetails.name, type: type.replace('StateEntered', ''), notes: [] });
      current = { ...current, ...parse(event.stateEnteredEventDetails.input) };
    } else if (type.endsWith('StateExited') && event.stateExitedEventDetails?.name) {
      const output = parse(event.stateExitedEventDetails.output);
      const notes = stateNotes(current, output);
      if (notes.length) entries.push({ at, kind: 'exited', state: event.stateExitedEventDetails.name, notes });
      if (event.stateExitedEventDetails.output) current = output;
    } else if (type === 'LambdaFunctionFailed' || type === 'TaskFailed') {
      const details = event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails;
      const last = [...entries].reverse().find((entry) => entry.kind === 'entered');
      entries.push({ at, kind: 'failed', state: last?.state ?? '', notes: [`${details?.error ?? 'error'}: ${short(causeMessage(details?.cause))}`] });
    } else if (ENDED.has(type)) {
      const details = event.executionFailedEventDetails ?? event.executionAbortedEventDetails ?? event.executionTimedOutEventDetails;
      const error = details?.error ? [`${details.error}${details.cause ? `: ${short(causeMessage(details.cause))}` : ''}`] : [];
      entries.push({ at, kind: 'ended', state: ENDED.get(type)!, notes: error });
    }
  }
  return entries;
}

const offset = (at: Date, start: number): string => `+${((at.getTime() - start) / 1000).toFixed(2).padStart(6)}s`;

/** Lines for one entry: `  +  0.12s  Classify Finding (Task)`, then its notes below it. */
export function formatEntry(entry: TimelineEntry, start: number, style: TimelineStyle = PLAIN): string {
  const when = `  ${style.dim(offset(entry.at, start))}  `;
  const pad = ' '.repeat(13);
  switch (entry.kind) {
    case 'entered':
      return `${when}${entry.state} ${style.dim(`(${entry.type ?? 'State'})`)}`;
    case 'exited':
      return entry.notes.map((note, index) => (index === 0 ? `${when}  ↳ ${note}` : `${pad}  ↳ ${note}`)).join('\n');
    case 'failed':
      return `${when}  ${style.red('✘')} ${entry.state}: ${entry.notes.join('; ')}`;
    case 'ended': {
      const status = entry.state === 'SUCCEEDED' ? style.green(entry.state) : style.red(entry.state);
      return `${when}${status}${entry.notes.length ? ` ${entry.notes.join('; ')}` : ''}`;
    }
  }
}
