/**
 * One execution from the outside: its timeline (live or past), how it ended in the workflow's own vocabulary
 * (lib/outcome.ts), and the exit code that ending means for the CLI.
 */
import { DescribeExecutionCommand, type DescribeExecutionCommandOutput, type SFNClient } from '@aws-sdk/client-sfn';
import { outcomeOf, type Outcome } from '../lib/outcome';
import { RunStateSchema } from '../lib/workflow/state';
import { executionHistory } from '../local/execution';
import { EXIT, NotFoundError } from './errors';
import { causeMessage, timelineOf, type TimelineEntry } from './timeline';

export interface Ending {
  executionArn: string;
  /** Step Functions' status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED. */
  status: string;
  /** The workflow's outcome (RESOLVED, ESCALATED, DRY_RUN, …), FAILED for a failed execution, null while running. */
  outcome: Outcome | null;
  headline: string;
  /** The named error of a failed execution. */
  error: string | null;
  changeId: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
  exitCode: number;
}

/** The outcomes that mean "done as asked": verified fixed, a dry run, a rollback. */
const DONE: readonly Outcome[] = ['RESOLVED', 'DRY_RUN', 'ROLLED_BACK'];

export function exitCodeOf(status: string, outcome: Outcome | null): number {
  if (status === 'RUNNING') return EXIT.RUNNING;
  if (status !== 'SUCCEEDED' || outcome === 'FAILED') return EXIT.FAILED;
  return outcome && DONE.includes(outcome) ? EXIT.OK : EXIT.NOT_RESOLVED;
}

/** How an execution stands, from DescribeExecution: the outcome computed from its final state, as Record Outcome did. */
export function endingOf(description: DescribeExecutionCommandOutput, executionArn: string): Ending {
  const status = description.status ?? 'UNKNOWN';
  const base = {
    executionArn,
    status,
    startedAt: description.startDate?.toISOString() ?? null,
    stoppedAt: description.stopDate?.toISOString() ?? null,
  };
  if (status === 'RUNNING') return { ...base, outcome: null, headline: 'still running', error: null, changeId: null, exitCode: EXIT.RUNNING };
  if (status !== 'SUCCEEDED') {
    const error = description.error ?? status;
    return { ...base, outcome: 'FAILED', headline: `${error}${description.cause ? `: ${causeMessage(description.cause)}` : ''}`, error, changeId: null, exitCode: EXIT.FAILED };
  }
  const state = RunStateSchema.safeParse(description.output ? JSON.parse(description.output) : {});
  if (!state.success) return { ...base, outcome: null, headline: 'ended with an output the CLI cannot read', error: null, changeId: null, exitCode: EXIT.NOT_RESOLVED };
  const { outcome, headline } = outcomeOf(state.data);
  return {
    ...base,
    outcome,
    headline,
    error: outcome === 'FAILED' ? (state.data.error?.Error ?? null) : null,
    changeId: state.data.change?.changeId ?? null,
    exitCode: exitCodeOf(status, outcome),
  };
}

export async function describe(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') {
      throw new NotFoundError(`no execution ${executionArn}: check the name with \`remediate history --resource <arn>\` or the Step Functions console`, { cause: error });
    }
    throw error;
  }
}

/** Polling slows down while nothing happens (a run waiting for a human may wait hours), down to one poll in 5 s. */
const MAX_POLL_MS = 5_000;

/**
 * Report every timeline entry of the execution as it appears (polling its history) until it stops, or just once
 * when `follow` is false; then how it stands.
 */
export async function watchExecution(
  sfn: SFNClient,
  executionArn: string,
  options: { follow: boolean; onEntry: (entry: TimelineEntry) => void; pollMs?: number },
): Promise<{ ending: Ending; entries: TimelineEntry[] }> {
  const basePollMs = options.pollMs ?? 500;
  let pollMs = basePollMs;
  let reported = 0;
  for (;;) {
    const description = await describe(sfn, executionArn);
    // Read the history after the description: a stopped execution's history is then complete.
    const entries = timelineOf(await executionHistory(sfn, executionArn));
    for (const entry of entries.slice(reported)) options.onEntry(entry);
    pollMs = entries.length > reported ? basePollMs : Math.min(MAX_POLL_MS, Math.round(pollMs * 1.5));
    reported = Math.max(reported, entries.length);
    if (description.status !== 'RUNNING' || !options.follow) return { ending: endingOf(description, executionArn), entries };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
