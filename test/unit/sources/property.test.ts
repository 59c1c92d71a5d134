/**
 * Property: whatever an event looks like, the normalizers return valid Findings (or a
 * deliberate "ignored"), or throw one of our two named errors with a message that names
 * its source. Inputs are the sample events, mutated: fields deleted, replaced by values
 * of other types, strings truncated (truncated ARNs), arrays emptied or filled.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError, UnsupportedEventError } from '../../../lib/errors';
import { FindingSchema } from '../../../lib/finding';
import { normalizeEvent } from '../../../lib/sources';
import { DEPLOYMENT, loadSamples } from './samples';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const samples = loadSamples();

/** Every path into a JSON value, the root excluded. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  }
  return [];
}

function getAt(value: Json, path: Path): Json | undefined {
  return path.reduce<Json | undefined>((node, key) => (node === undefined || node === null ? undefined : (node as Record<string | number, Json>)[key]), value);
}

/** Applies `change` to the value at `path` (undefined deletes it). */
function setAt(value: Json, path: Path, change: (current: Json | undefined) => Json | undefined): Json {
  const copy = structuredClone(value);
  const parent = getAt(copy, path.slice(0, -1));
  const key = path[path.length - 1] as string | number;
  if (parent === null || typeof parent !== 'object') return copy;
  const next = change((parent as Record<string | number, Json>)[key]);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, Json>)[key];
  } else {
    (parent as Record<string | number, Json>)[key] = next;
  }
  return copy;
}

const jsonValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', 'arn:', 'arn:aws:s3:::', 'arn:aws:iam::123456789012:', 'ACTIVE', 'NON_COMPLIANT', 'AWS::Glue::Catalog', '2026-13-45T99:99:99Z', '*'),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

type Mutation = (current: Json | undefined) => Json | undefined;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>(() => undefined),
  jsonValue.map<Mutation>((replacement) => () => replacement),
  fc.nat({ max: 60 }).map<Mutation>((length) => (current) => (typeof current === 'string' ? current.slice(0, length) : current)),
  fc.constant<Mutation>((current) => (Array.isArray(current) ? [] : current)),
  fc.constant<Mutation>((current) => (Array.isArray(current) && current.length > 0 ? [...current, ...current] : current)),
  fc.constant<Mutation>((current) => (typeof current === 'string' ? `${current}${current}` : current)),
);

/** A sample event with one to four mutations at random paths. */
const mutatedEvent: fc.Arbitrary<Json> = fc
  .tuple(fc.constantFrom(...samples), fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 4 }))
  .map(([{ event }, changes]) =>
    changes.reduce<Json>((current, [index, change]) => {
      const paths = pathsOf(current);
      if (paths.length === 0) return current;
      return setAt(current, paths[index % paths.length] as Path, change);
    }, event as Json),
  );

function assertContract(input: unknown): void {
  try {
    const result = normalizeEvent(input, DEPLOYMENT);
    if (result.kind === 'ignored') {
      expect(typeof result.reason).toBe('string');
      return;
    }
    expect(result.findings.length).toBeGreaterThan(0);
    for (const finding of result.findings) expect(FindingSchema.safeParse(finding).success).toBe(true);
    for (const rejected of result.rejected ?? []) expect(['InvalidEventError', 'UnsupportedEventError']).toContain(rejected.errorName);
  } catch (error) {
    if (!(error instanceof InvalidEventError || error instanceof UnsupportedEventError)) throw error;
    expect(error.message).toMatch(/^[^\s]+ event: /);
  }
}

describe('normalizeEvent on mutated sample events', () => {
  it('only ever returns valid Findings or throws InvalidEventError / UnsupportedEventError', () => {
    fc.assert(fc.property(mutatedEvent, (event) => assertContract(event)), { numRuns: 4000 });
    // 4000 runs take ~2 s alone and ~10 s on a machine shared with other test runs.
  }, 60_000);

  it('holds for the same events given as (possibly truncated) JSON text', () => {
    fc.assert(
      fc.property(mutatedEvent, fc.option(fc.nat(), { nil: undefined }), (event, cut) => {
        const text = JSON.stringify(event);
        assertContract(cut === undefined ? text : text.slice(0, cut % (text.length + 1)));
      }),
      { numRuns: 1000 },
    );
  });

  it('holds for arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => assertContract(value)), { numRuns: 1000 });
  });
});
