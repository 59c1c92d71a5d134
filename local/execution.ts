/**
 * Follow a Step Functions execution through its history: which states it
 * entered, when, and how it ended. Used by the demo's timeline and by the
 * workflow tests, which assert on the path taken, not only the output.
 */
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';

export interface StateVisit {
  name: string;
  type: string;
  enteredAt: Date;
}

export interface ExecutionResult {
  status: string;
  output: unknown;
  error?: string;
  cause?: string;
  states: StateVisit[];
  history: HistoryEvent[];
}

export async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

export function statesEntered(history: HistoryEvent[]): StateVisit[] {
  return history
    .filter((event) => event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name)
    .map((event) => ({ name: event.stateEnteredEventDetails!.name!, type: event.type!.replace('StateEntered', ''), enteredAt: event.timestamp ?? new Date() }));
}

/** Poll until the execution leaves RUNNING (or `until` says stop), reporting each new state as it is entered. */
export async function followExecution(
  sfn: SFNClient,
  executionArn: string,
  options: { timeoutMs?: number; pollMs?: number; onState?: (visit: StateVisit) => void; until?: (visits: StateVisit[]) => boolean } = {},
): Promise<ExecutionResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let reported = 0;
  for (;;) {
    const history = await executionHistory(sfn, executionArn);
    const visits = statesEntered(history);
    for (const visit of visits.slice(reported)) options.onState?.(visit);
    reported = visits.length;
    const description = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const stopEarly = options.until?.(visits) ?? false;
    if (description.status !== 'RUNNING' || stopEarly) {
      const finalHistory = description.status !== 'RUNNING' ? await executionHistory(sfn, executionArn) : history;
      const finalVisits = statesEntered(finalHistory);
      for (const visit of finalVisits.slice(reported)) options.onState?.(visit);
      return {
        status: description.status ?? 'UNKNOWN',
        output: description.output ? JSON.parse(description.output) : undefined,
        error: description.error,
        cause: description.cause,
        states: finalVisits,
        history: finalHistory,
      };
    }
    if (Date.now() > deadline) throw new Error(`execution ${executionArn} still RUNNING after ${options.timeoutMs ?? 60_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
  }
}
