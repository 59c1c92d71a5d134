/**
 * Every AWS call the hosted handlers make, counted in process: the drills'
 * attribution (drills/attribution.ts) says which function, task and execution
 * a call served, and one client decorator (lib/aws/clients.ts) records it.
 * Calls made outside a hosted handler (the bench's own reads and writes of
 * moto) are not recorded. Install before the local stack starts.
 */
import { addClientDecorator, type SdkClient } from '../lib/aws/clients';
import { currentInvocation, installAttribution, type Invocation } from '../drills/attribution';
import { isResourceWrite } from '../drills/faults';
import type { LambdaHandler } from '../local/function-host';
import { TASK_FUNCTIONS } from '../local/functions';

export interface ApiCall {
  at: number;
  /** e.g. S3, SQS, DynamoDB (the client name without "Client"). */
  service: string;
  /** e.g. PutBucketPolicy (the command name without "Command"). */
  command: string;
  invocation: Invocation;
  /** The resource the call names, when it names one (bucket, queue URL, topic ARN, security group id). */
  resource?: string;
  /** A write to a resource Remediator looks after (not its own tables, tokens or secrets). */
  resourceWrite: boolean;
}

/** One run of a hosted Task handler, as Step Functions' Lambda invoke asked for it. */
export interface HandlerRun {
  fn: string;
  task: string | null;
  execution: string | null;
  startedAt: number;
  endedAt: number;
  failed: boolean;
}

export type AfterCall = (call: ApiCall) => Promise<void> | void;

function resourceOf(input: Record<string, unknown>): string | undefined {
  for (const key of ['Bucket', 'QueueUrl', 'TopicArn', 'GroupId'] as const) {
    if (typeof input[key] === 'string') return input[key];
  }
  return undefined;
}

export class CallRecorder {
  readonly calls: ApiCall[] = [];
  readonly runs: HandlerRun[] = [];
  private readonly after = new Set<AfterCall>();
  private readonly afterRun = new Set<(run: HandlerRun) => void>();

  constructor() {
    installAttribution();
    addClientDecorator((client: SdkClient) => this.decorate(client));
    for (const [fn, inner] of Object.entries(TASK_FUNCTIONS)) {
      const timed: LambdaHandler = async (event, context) => {
        const value = (event && typeof event === 'object' ? event : {}) as Record<string, unknown>;
        const run: HandlerRun = {
          fn,
          task: typeof value.task === 'string' ? value.task : null,
          execution: typeof value.execution === 'string' ? value.execution : null,
          startedAt: Date.now(),
          endedAt: 0,
          failed: false,
        };
        try {
          return await inner(event, context);
        } catch (error) {
          run.failed = true;
          throw error;
        } finally {
          run.endedAt = Date.now();
          this.runs.push(run);
          for (const hook of this.afterRun) hook(run);
        }
      };
      (TASK_FUNCTIONS as Record<string, LambdaHandler>)[fn] = timed;
    }
  }

  /** Resolves when a hosted handler run of `execution` for `task` has returned. */
  handlerReturned(execution: string, task: string, timeoutMs = 60_000): Promise<HandlerRun> {
    const done = this.runs.find((r) => r.execution === execution && r.task === task);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.afterRun.delete(hook);
        reject(new Error(`${task} of ${execution} did not return within ${timeoutMs} ms`));
      }, timeoutMs);
      const hook = (run: HandlerRun): void => {
        if (run.execution !== execution || run.task !== task) return;
        clearTimeout(timer);
        this.afterRun.delete(hook);
        resolve(run);
      };
      this.afterRun.add(hook);
    });
  }

  /** Run `hook` after each recorded call has returned (until the returned function removes it). */
  afterCall(hook: AfterCall): () => void {
    this.after.add(hook);
    return () => this.after.delete(hook);
  }

  /** Calls made for one execution (its Task handlers), plus calls of handlers outside any execution (the Slack endpoint) while it ran. */
  callsOf(executionArn: string, from: number, to: number): ApiCall[] {
    return this.calls.filter((c) => c.invocation.execution === executionArn || (c.invocation.execution === null && c.at >= from && c.at <= to));
  }

  private decorate(client: SdkClient): void {
    const middleware =
      (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
      async (args: { input: Record<string, unknown> }): Promise<unknown> => {
        const invocation = currentInvocation();
        if (!invocation) return next(args);
        const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
        const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const resource = resourceOf(args.input ?? {});
        const call: ApiCall = { at: Date.now(), service, command, invocation, ...(resource ? { resource } : {}), resourceWrite: isResourceWrite({ client: service, command }) };
        this.calls.push(call);
        const result = await next(args);
        for (const hook of this.after) await hook(call);
        return result;
      };
    client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'benchCallRecorder' });
  }
}
