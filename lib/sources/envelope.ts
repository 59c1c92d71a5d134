import { z } from 'zod';
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
  const parsed = EnvelopeSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidEventError(`${source} event: ${formatIssues(parsed.error)}`, { context: { source } });
  }
  return parsed.data as EventBridgeEnvelope;
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
