/**
 * The accuracy corpus (test/fixtures/policies/corpus.ts): every case gets the
 * verdict its source gives, or the parse error it deserves.
 */
import { describe, expect, it } from 'vitest';
import { PolicyParseError } from '../../../lib/errors';
import { analyzePolicy, parsePolicy } from '../../../lib/policy';
import { ACCOUNT_ZONE, CORPUS } from '../../fixtures/policies/corpus';

describe('the policy corpus', () => {
  it('holds at least 150 cases, each with a reason', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(150);
    for (const c of CORPUS) expect(c.reason.length, c.name).toBeGreaterThan(5);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  it.each(CORPUS.filter((c) => !('error' in c.expected)).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    // Prepare
    const zone = c.zone ?? ACCOUNT_ZONE;
    // Act
    const analysis = analyzePolicy(c.policy as object | null, zone, { kind: c.kind, ...c.options });
    // Assess
    expect({ isPublic: analysis.isPublic, externalAccounts: analysis.externalAccounts, exposed: analysis.exposed }, c.reason).toEqual(c.expected);
    if (c.statements) expect(analysis.statements.map((s) => s.verdict)).toEqual(c.statements);
    for (const s of analysis.statements) expect(s.reason.length).toBeGreaterThan(10);
  });

  it.each(CORPUS.filter((c) => 'error' in c.expected).map((c) => [c.name, c] as const))('rejects %s with PolicyParseError', (_name, c) => {
    const expected = c.expected as { error: string; location?: string };
    let caught: unknown;
    try {
      parsePolicy(c.policy as object);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolicyParseError);
    if (expected.location) expect((caught as PolicyParseError).context.location).toBe(expected.location);
  });
});
