/**
 * What every normalizer shares: parsing a detail with a schema, turning resource
 * problems into our named errors, and the last check against FindingSchema.
 * Every error message starts with the EventBridge source and names the field.
 */
import * as z from 'zod';
import { InvalidEventError, UnsupportedEventError } from '../errors';
import { FindingSchema, type Finding, type FindingInput } from '../finding';
import { formatIssues } from './envelope';
import { type ArnResult, DEFAULT_PARTITION, parseArn, partitionOfResource, type ResourceIdentity } from './resource-arn';
import type { NormalizeOptions } from './types';

/** An AWS region name, e.g. us-east-1. */
export const regionSchema = z.string().regex(/^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, 'not an AWS region');
/** A 12-digit AWS account id. */
export const accountIdSchema = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits');
/** An ISO-8601 date-time with offset, as every AWS event writes them. */
export const timestampSchema = z.iso.datetime({ offset: true });

/** Parses `value` (found at `field`, e.g. `detail`) or throws InvalidEventError naming the bad fields. */
export function parseField<S extends z.ZodType>(schema: S, value: unknown, source: string, field: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidEventError(`${source} event: ${formatIssues(parsed.error, field)}`, { context: { source, field } });
  }
  return parsed.data;
}

/**
 * The resource, or UnsupportedEventError (a type we do not handle, or a resource in another
 * partition than the deployment's) / InvalidEventError (a malformed ARN or id).
 */
export function requireResource(result: ArnResult, source: string, field: string, options: Pick<NormalizeOptions, 'partition'>): ResourceIdentity {
  if (!result.ok) {
    const ErrorClass = result.unsupported ? UnsupportedEventError : InvalidEventError;
    throw new ErrorClass(`${source} event: ${field}: ${result.problem}`, { context: { source, field } });
  }
  const partition = options.partition ?? DEFAULT_PARTITION;
  const found = partitionOfResource(result.resource);
  if (found !== partition) {
    throw new UnsupportedEventError(
      `${source} event: ${field}: "${result.resource.arn}" is in partition ${found}; this deployment acts in partition ${partition} only`,
      { context: { source, field, partition: found } },
    );
  }
  return result.resource;
}

/** UnsupportedEventError when `arn` is an ARN of another partition than the deployment's (checked before anything else about it). */
export function refuseForeignPartition(arn: string, source: string, field: string, options: Pick<NormalizeOptions, 'partition'>): void {
  const partition = options.partition ?? DEFAULT_PARTITION;
  const found = parseArn(arn)?.partition;
  if (found !== undefined && found !== partition) {
    throw new UnsupportedEventError(`${source} event: ${field}: "${arn.slice(0, 120)}" is in partition ${found}; this deployment acts in partition ${partition} only`, {
      context: { source, field, partition: found },
    });
  }
}

export function unsupported(source: string, field: string, problem: string): UnsupportedEventError {
  return new UnsupportedEventError(`${source} event: ${field}: ${problem}`, { context: { source, field } });
}

export function invalid(source: string, field: string, problem: string): InvalidEventError {
  return new InvalidEventError(`${source} event: ${field}: ${problem}`, { context: { source, field } });
}

/** The last gate: the candidate must be a valid Finding, or the event is invalid. */
export function toFinding(candidate: FindingInput, source: string): Finding {
  const parsed = FindingSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new InvalidEventError(`${source} event: finding ${formatIssues(parsed.error)}`, { context: { source } });
  }
  return parsed.data;
}

/** The earliest of the given timestamps that is a valid ISO-8601 date-time with offset, else undefined. */
export function firstTimestamp(...candidates: Array<string | undefined>): string | undefined {
  return candidates.find((value) => value !== undefined && ISO_DATETIME.test(value) && !Number.isNaN(Date.parse(value)));
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** GuardDuty's and Security Hub's numeric scales, mapped to our labels (GuardDuty: 9.0+ is CRITICAL). */
export function severityFromScore(score: number): Finding['severity'] {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score >= 1) return 'LOW';
  return 'INFORMATIONAL';
}
