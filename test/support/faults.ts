/**
 * In-process fault injection for tests and drills: a client decorator
 * (lib/aws/clients.ts) that adds one middleware to every client built while it
 * is installed. Each call is recorded (client, command, input); a rule may
 * fail a matching call with a named AWS error, deterministically.
 */
import { addClientDecorator, type SdkClient } from '../../lib/aws/clients';

export interface RecordedCall {
  client: string;
  command: string;
  input: Record<string, unknown>;
}

export interface FaultRule {
  /** e.g. 'PutPublicAccessBlockCommand' */
  command: string;
  /** Only calls whose input passes this test count. */
  when?: (input: Record<string, unknown>) => boolean;
  /** Fail the nth matching call (1-based), or every matching call when absent. */
  nth?: number;
  /** The AWS error name to throw: ThrottlingException, AccessDenied, … */
  error: string;
}

export interface FaultInjector {
  calls: RecordedCall[];
  rules: FaultRule[];
  /** Matching calls seen per rule. */
  seen: Map<FaultRule, number>;
  remove(): void;
}

const STATUS: Record<string, number> = { ThrottlingException: 400, AccessDenied: 403, AccessDeniedException: 400, ServiceUnavailable: 503, InternalError: 500 };

export function injectFaults(rules: FaultRule[] = []): FaultInjector {
  const injector: FaultInjector = { calls: [], rules, seen: new Map(), remove: () => undefined };
  injector.remove = addClientDecorator((client: SdkClient) => {
    const middleware = (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        const command = context.commandName ?? 'UnknownCommand';
        injector.calls.push({ client: context.clientName ?? 'UnknownClient', command, input: args.input });
        for (const rule of injector.rules) {
          if (rule.command !== command || (rule.when && !rule.when(args.input))) continue;
          const count = (injector.seen.get(rule) ?? 0) + 1;
          injector.seen.set(rule, count);
          if (rule.nth === undefined || rule.nth === count) {
            throw Object.assign(new Error(`injected ${rule.error} on ${command}`), { name: rule.error, $metadata: { httpStatusCode: STATUS[rule.error] ?? 400 }, $fault: 'client' });
          }
        }
        return next(args);
      };
    client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'injectFaults', override: true });
  });
  return injector;
}

/** The names of the commands recorded, in order. */
export const commandsOf = (injector: FaultInjector, names?: string[]): string[] =>
  injector.calls.map((c) => c.command).filter((c) => !names || names.includes(c));
