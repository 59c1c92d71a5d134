/**
 * How long each hosted function may run, and how many of its invocations run at once, for the
 * local function host. The timeouts are serverless.yml's (provider.timeout, or the function's own),
 * so a handler that would time out on Lambda times out here too.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** Lambda's own default when neither the provider nor the function names a timeout. */
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;

/**
 * Invocations of one function that run at once in the host; the others wait for a free slot (a sandbox) before
 * their handler starts. Every hosted handler shares this process, its SDK clients' sockets (50 per client) and one
 * moto server: without a cap, a burst of a thousand executions would start a thousand handlers whose AWS calls
 * queue behind each other's, and each one's timeout clock would run out while it waits for a socket, which no
 * Lambda sandbox does. Five task functions at 10 each keep the running handlers within the clients' sockets.
 */
export const DEFAULT_CONCURRENCY_PER_FUNCTION = 10;

export interface FunctionLimits {
  /** The function timeout of a deployed function name (`<prefix>-<function key>`, or the key itself), in seconds. */
  timeoutSeconds(functionName: string): number;
  /** Invocations of one function that run at once. */
  concurrency: number;
}

type ServerlessConfig = { provider?: { timeout?: unknown }; functions?: Record<string, { timeout?: unknown } | null> };

/** serverless.yml's timeout of every function, by function key. */
export function serverlessTimeouts(file = fileURLToPath(new URL('../serverless.yml', import.meta.url))): Record<string, number> {
  // CloudFormation tags (!Ref, !GetAtt …) are not ours to resolve here: they parse as plain values, silently.
  const config = parse(readFileSync(file, 'utf8'), { logLevel: 'silent' }) as ServerlessConfig;
  const seconds = (value: unknown): number | undefined => (typeof value === 'number' && value > 0 ? value : undefined);
  const fallback = seconds(config.provider?.timeout) ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS;
  return Object.fromEntries(Object.entries(config.functions ?? {}).map(([key, fn]) => [key, seconds(fn?.timeout) ?? fallback]));
}

/**
 * serverless.yml's timeouts; `overrides` (by function key) replaces one while it holds an entry — the drills shorten
 * the remediate function's to stop a handler mid-call as Lambda would, without waiting its full minute.
 */
export function deployedLimits(concurrency = DEFAULT_CONCURRENCY_PER_FUNCTION, overrides: ReadonlyMap<string, number> = new Map()): FunctionLimits {
  const timeouts = serverlessTimeouts();
  const fallback = Math.max(...Object.values(timeouts));
  return {
    concurrency,
    timeoutSeconds: (functionName) => {
      const key = Object.keys(timeouts).find((k) => functionName === k || functionName.endsWith(`-${k}`));
      return (key ? overrides.get(key) : undefined) ?? (key ? timeouts[key]! : fallback);
    },
  };
}
