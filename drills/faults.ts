/**
 * Fault injection and call recording for the drills, in process: a client
 * decorator (lib/aws/clients.ts) adds one middleware to every SDK client the
 * handlers build. The middleware sees which handler made the call (the
 * attribution in ./attribution.ts), records the call and how it ended, and
 * throws an injected error when a rule of the plan says so. Calls made
 * outside a hosted handler (the drills' own reads of moto) are neither
 * recorded nor touched.
 */
import { addClientDecorator, type SdkClient } from '../lib/aws/clients';
import { currentInvocation, type Invocation } from './attribution';

export interface CallRecord {
  at: number;
  /** e.g. S3, DynamoDB, SFN (the client name without "Client"). */
  client: string;
  /** e.g. PutBucketPolicy (the command name without "Command"). */
  command: string;
  invocation: Invocation;
  /** The bucket, table key or task token the call names, as far as it is cheap to tell. */
  target: string;
  outcome: 'ok' | 'error' | 'injected';
  errorName?: string;
}

/**
 * throttle / denied: the call fails with that AWS error. stop: the call never returns, as when Lambda stops the
 * function at its timeout in the middle of it (the host answers Sandbox.Timedout; nothing after it in that handler runs).
 */
export type FaultKind = 'throttle' | 'denied' | 'stop';

export interface FaultRule {
  /** Which calls count towards `nth`. */
  match: (call: Pick<CallRecord, 'client' | 'command' | 'invocation' | 'target'>) => boolean;
  /** Fail the nth matching call (1-based); later matches pass. */
  nth: number;
  /** How many matching calls in a row fail, from the nth (default 1). */
  times?: number;
  kind: FaultKind;
  /** Filled in by the plan: matching calls seen, and how many were failed. */
  seen: number;
  fired: number;
}

/** Services whose writes change the resources Remediator looks after (not its own tables, tokens or secrets). */
const BOOKKEEPING_CLIENTS = new Set(['DynamoDB', 'DynamoDBDocument', 'SFN', 'SecretsManager', 'STS']);
const MUTATING = /^(Put|Delete|Create|Update|Attach|Detach|Set|Remove|Revoke|Authorize|Modify|Enable|Disable|Archive|Tag|Untag|Restore|Replace|Schedule|Cancel|Add|Upload|Copy|Abort|Complete|Apply)/;

/** A call that changes a resource (as opposed to a read, or a write to Remediator's own bookkeeping). */
export function isResourceWrite(call: Pick<CallRecord, 'client' | 'command'>): boolean {
  return !BOOKKEEPING_CLIENTS.has(call.client) && MUTATING.test(call.command);
}

export function injectedError(kind: Exclude<FaultKind, 'stop'>, call: Pick<CallRecord, 'client' | 'command'>): Error {
  if (kind === 'throttle') {
    return Object.assign(new Error(`Rate exceeded (drill: ${call.client}.${call.command})`), {
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
  }
  return Object.assign(new Error(`Access Denied (drill: ${call.client}.${call.command})`), {
    name: call.client === 'S3' ? 'AccessDenied' : 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 403, attempts: 1 },
  });
}

function targetOf(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const value = input as Record<string, unknown>;
  if (typeof value.Bucket === 'string') return value.Bucket;
  if (typeof value.KeyId === 'string') return value.KeyId;
  if (typeof value.taskToken === 'string') return `token:${value.taskToken.slice(-12)}`;
  const key = (value.Key ?? value.Item) as Record<string, unknown> | undefined;
  if (key && typeof key === 'object') {
    const pk = key.pk ?? key.approvalId;
    if (typeof pk === 'string') return pk;
    if (pk && typeof pk === 'object' && typeof (pk as { S?: unknown }).S === 'string') return String((pk as { S: string }).S);
  }
  return '';
}

export class FaultPlan {
  readonly calls: CallRecord[] = [];
  private rules: FaultRule[] = [];
  private readonly remove: () => void;

  constructor() {
    this.remove = addClientDecorator((client: SdkClient) => this.decorate(client));
  }

  /** Add a rule; returns it so the drill can see whether it fired. */
  inject(rule: Omit<FaultRule, 'seen' | 'fired'>): FaultRule {
    const full: FaultRule = { ...rule, seen: 0, fired: 0 };
    this.rules.push(full);
    return full;
  }

  removeRule(rule: FaultRule): void {
    this.rules = this.rules.filter((r) => r !== rule);
  }

  /** Resumes (SendTaskSuccess / SendTaskFailure that Step Functions accepted) of the task behind `taskToken`. */
  resumesOf(taskToken: string, since = 0): CallRecord[] {
    const target = `token:${taskToken.slice(-12)}`;
    return this.callsSince(since, (c) => c.client === 'SFN' && /^SendTask(Success|Failure)$/.test(c.command) && c.target === target && c.outcome === 'ok');
  }

  clearRules(): void {
    this.rules = [];
  }

  /** Calls recorded since `since` (a value of Date.now()), optionally filtered. */
  callsSince(since: number, filter: (call: CallRecord) => boolean = () => true): CallRecord[] {
    return this.calls.filter((call) => call.at >= since && filter(call));
  }

  detach(): void {
    this.remove();
  }

  private decorate(client: SdkClient): void {
    const middleware =
      (next: (args: { input: unknown }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
      async (args: { input: unknown }): Promise<unknown> => {
        const invocation = currentInvocation();
        if (!invocation) return next(args);
        const record: CallRecord = {
          at: Date.now(),
          client: (context.clientName ?? 'Unknown').replace(/Client$/, ''),
          command: (context.commandName ?? 'Unknown').replace(/Command$/, ''),
          invocation,
          target: targetOf(args.input),
          outcome: 'ok',
        };
        this.calls.push(record);
        for (const rule of this.rules) {
          if (!rule.match(record)) continue;
          rule.seen += 1;
          if (rule.seen >= rule.nth && rule.fired < (rule.times ?? 1)) {
            rule.fired += 1;
            record.outcome = 'injected';
            record.errorName = rule.kind;
            if (rule.kind === 'stop') return new Promise<never>(() => undefined);
            throw injectedError(rule.kind, record);
          }
        }
        try {
          return await next(args);
        } catch (error) {
          record.outcome = 'error';
          record.errorName = (error as Error).name;
          throw error;
        }
      };
    client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'drillFaults', priority: 'high' });
  }
}
