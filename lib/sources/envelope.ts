import { z } from 'zod';
import { InvalidEventError } from '../errors';
import type { EventBridgeEnvelope } from './types';

const EnvelopeSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  'detail-type': z.string().min(1),
  account: z.string().regex(/^\d{12}$/),
  region: z.string().min(1),
  time: z.string().min(1),
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown()),
});

/** Accepts an EventBridge event as an object or as JSON text; anything else is an InvalidEventError. */
export function parseEnvelope(input: unknown): EventBridgeEnvelope {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new InvalidEventError('event is not JSON', { cause, context: { source: 'unknown' } });
    }
  }
  const parsed = EnvelopeSchema.safeParse(value);
  if (!parsed.success) {
    const source = typeof (value as { source?: unknown })?.source === 'string' ? (value as { source: string }).source : 'unknown';
    throw new InvalidEventError(`${source} event: ${formatIssues(parsed.error)}`, { context: { source } });
  }
  return parsed.data as EventBridgeEnvelope;
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
