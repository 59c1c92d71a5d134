import * as z from 'zod';
import { InvalidEventError } from '../errors';
import type { EventBridgeEnvelope } from './types';

/** EventBridge refuses events over 256 KiB; anything bigger did not come from it. */
export const MAX_EVENT_BYTES = 256 * 1024;

/** EventBridge sources: `aws.guardduty`, `com.example.app`, `aws.partner/…`; no spaces. */
const SOURCE_PATTERN = /^[\x21-\x7e]{1,256}$/;

const EnvelopeSchema = z.object({
  id: z.string().min(1).max(256),
  source: z.string().regex(SOURCE_PATTERN, 'an event source is printable text without spaces, at most 256 characters'),
  'detail-type': z.string().min(1).max(256),
  account: z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits'),
  region: z.string().regex(/^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, 'not an AWS region'),
  time: z.iso.datetime({ offset: true }),
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown()),
});

/** Accepts an EventBridge event as an object or as JSON text; anything else is an InvalidEventError. */
export function parseEnvelope(input: unknown): EventBridgeEnvelope {
  const value = typeof input === 'string' ? parseJson(input) : input;
  const source = sourceOf(value);
  const size = serializedSize(value, source);
  if (size > MAX_EVENT_BYTES) {
    throw new InvalidEventError(`${source} event: the event is ${size} bytes, over the ${MAX_EVENT_BYTES}-byte EventBridge limit`, {
      context: { source, size },
    });
  }
  refusePollutingKeys(value, source);
  const parsed = EnvelopeSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidEventError(`${source} event: ${formatIssues(parsed.error)}`, { context: { source } });
  }
  return parsed.data as EventBridgeEnvelope;
}

/**
 * No AWS event has a field named `__proto__`, or `constructor.prototype`: JSON.parse makes
 * them own keys, and the first Object.assign or deep merge that copies them would replace or
 * extend an object's prototype. Such an event is refused outright rather than cleaned (what
 * else was it crafted to do?). A plain `constructor` key (a tag of that name) is left alone.
 */
function refusePollutingKeys(value: unknown, source: string): void {
  const pending: { node: unknown; path: string }[] = [{ node: value, path: '' }];
  while (pending.length) {
    const { node, path } = pending.pop() as { node: unknown; path: string };
    if (typeof node !== 'object' || node === null) continue;
    for (const key of Object.keys(node)) {
      const at = Array.isArray(node) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (key === '__proto__' || (key === 'prototype' && (path === 'constructor' || path.endsWith('.constructor')))) {
        throw new InvalidEventError(`${source} event: ${at}: no AWS event has a field named ${key} there (refused as a prototype-pollution attempt)`, {
          context: { source, field: at },
        });
      }
      pending.push({ node: (node as Record<string, unknown>)[key], path: at });
    }
  }
}

function parseJson(text: string): unknown {
  if (text.length > MAX_EVENT_BYTES) {
    throw new InvalidEventError(`unknown event: the event is ${text.length} characters, over the ${MAX_EVENT_BYTES}-byte EventBridge limit`, {
      context: { source: 'unknown', size: text.length },
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new InvalidEventError('unknown event: the event is not JSON', { cause, context: { source: 'unknown' } });
  }
}

function serializedSize(value: unknown, source: string): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  } catch (cause) {
    throw new InvalidEventError(`${source} event: the event cannot be serialized as JSON`, { cause, context: { source } });
  }
}

/** The `source` field when there is a usable one, for error messages. */
export function sourceOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return 'unknown';
  const source = (value as { source?: unknown }).source;
  return typeof source === 'string' && SOURCE_PATTERN.test(source) ? source : 'unknown';
}

/** `path: message` for the first issues of a zod error, the path rooted at `prefix` (e.g. `detail`). */
export function formatIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}
