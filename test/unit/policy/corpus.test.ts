/**
 * The accuracy corpus (test/fixtures/policies/corpus.ts): every case gets the
 * verdict its source gives. A policy IAM would reject still gets a verdict (and
 * a lint note); strict mode throws PolicyParseError at the place IAM would.
 */
import { describe, expect, it } from 'vitest';
import { PolicyParseError } from '../../../lib/errors';
import { analyzePolicy, parsePolicy } from '../../../lib/policy';
import { ACCOUNT_ZONE, CORPUS } from '../../fixtures/policies/corpus';

const parseError = (fn: () => unknown): PolicyParseError | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof PolicyParseError) return error;
    throw error;
  }
  return undefined;
};

describe('the policy corpus', () => {
  it('holds at least 200 cases, each with a reason, and every class of issue #10 and #11', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(200);
    for (const c of CORPUS) expect(c.reason.length, c.name).toBeGreaterThan(5);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
    const categories = new Set(CORPUS.map((c) => c.category));
    for (const k of ['account-condition', 'service-risk', 'malformed', 'federated', 'organization'] as const) expect(categories).toContain(k);
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
    if (analysis.statements.some((s) => s.verdict === 'service-risk')) expect(analysis.risks.length).toBeGreaterThan(0);
    if (c.category === 'service-risk' && !analysis.exposed) expect(analysis.findings).toEqual([]);
    if (c.strictError) {
      expect(analysis.lint.some((n) => n.rejectedByAws && n.location === c.strictError)).toBe(true);
      expect(analysis.notes.some((n) => n.startsWith(`lint: ${c.strictError}:`))).toBe(true);
    }
  });

  it.each(CORPUS.filter((c) => c.strictError !== undefined).map((c) => [c.name, c] as const))('strict mode rejects %s where IAM would', (_name, c) => {
    const error = parseError(() => parsePolicy(c.policy as object, { strict: true }));
    expect(error).toBeInstanceOf(PolicyParseError);
    expect(error?.context.location).toBe(c.strictError);
    expect(parseError(() => analyzePolicy(c.policy as object, c.zone ?? ACCOUNT_ZONE, { kind: c.kind, strict: true }))?.context.location).toBe(c.strictError);
  });

  it.each(CORPUS.filter((c) => c.strictError === undefined && c.policy !== null && !('error' in c.expected)).map((c) => [c.name, c] as const))('strict mode accepts %s', (_name, c) => {
    expect(parseError(() => parsePolicy(c.policy as object, { strict: true }))).toBeUndefined();
  });

  it.each(CORPUS.filter((c) => 'error' in c.expected).map((c) => [c.name, c] as const))('cannot read %s at all: PolicyParseError', (_name, c) => {
    const expected = c.expected as { error: string; location?: string };
    const error = parseError(() => parsePolicy(c.policy as object));
    expect(error).toBeInstanceOf(PolicyParseError);
    if (expected.location) expect(error?.context.location).toBe(expected.location);
  });
});
