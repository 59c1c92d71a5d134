import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblems, lintRules } from '../../../lib/rules/lint';

const shipped = readFileSync('remediator.rules.yaml', 'utf8');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('lintRules', () => {
  it('passes the shipped rules file with no problem', () => {
    expect(lintRules(shipped)).toMatchObject({ ok: true, problems: [] });
  });

  it('puts a schema error on the line of the field', () => {
    const text = shipped.replace('mode: auto', 'mode: yolo');
    const result = lintRules(text);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ severity: 'error', path: 'rules.1.mode', line: lineOf(text, 'mode: yolo'), column: 5 })]);
  });

  it('puts an unknown key on its own line', () => {
    const text = shipped.replace('breakGlassRoleNames:', 'breakGlasRoleNames:');
    const [problem] = lintRules(text).problems;
    expect(problem).toMatchObject({ path: 'breakGlasRoleNames', line: lineOf(text, 'breakGlasRoleNames:') });
  });

  it('names the route without approvers at its line', () => {
    const text = shipped.replace(/approvers: \[[^\]]*\]/, 'approvers: []');
    expect(formatProblems(lintRules(text).problems, 'remediator.rules.yaml')).toEqual([
      expect.stringMatching(new RegExp(`^remediator\\.rules\\.yaml:${lineOf(text, 'approvers: []')}:5: error: routes\\.default\\.approvers: route "default" names no approvers`)),
    ]);
  });

  it('points a missing field at the object that lacks it', () => {
    const text = shipped.replace('  escalation: { timeoutSeconds: 3600 }\n', '');
    expect(lintRules(text).problems).toEqual([expect.objectContaining({ path: 'defaults.escalation', line: lineOf(text, 'defaults:'), column: 1 })]);
  });

  it('reports YAML syntax errors with their position', () => {
    const result = lintRules('version: 1\nrules: [unclosed\n');
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ severity: 'error', message: expect.stringContaining('not valid YAML') });
    expect(result.problems[0]!.line).toBeGreaterThan(0);
  });

  it('warns, without failing, about an expired exception and a rule that can never match', () => {
    const text = shipped
      .replace('exceptions: []', 'exceptions:\n  - match: { type: { eq: [ExternalAccess] } }\n    owner: me\n    reason: review\n    expires: 2020-01-31')
      .replace('  - id: default\n', '  - id: shadowed\n    filter:\n      resource.type: { eq: ["AWS::S3::Bucket"] }\n      resource.arn: { contains: ["-prod-", "-production-"] }\n    mode: notify\n\n  - id: default\n');
    const result = lintRules(text, { now: new Date('2026-12-02T00:00:00Z') });
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([
      expect.objectContaining({ severity: 'warning', path: 'exceptions.0.expires', line: lineOf(text, 'expires: 2020-01-31'), message: expect.stringContaining('expired on 2020-01-31') }),
      expect.objectContaining({ severity: 'warning', path: 'rules.2.filter', message: 'rule shadowed can never match: rule approve-production-buckets before it has the same filter' }),
    ]);
  });
});
