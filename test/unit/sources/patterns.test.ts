/**
 * The EventBridge patterns, checked without an emulator: their shape, and that every source,
 * detail-type and resource type they let through has a normalizer that understands it.
 * test/emulator/event-patterns.test.ts checks them against the sample events with TestEventPattern.
 */
import { describe, expect, it } from 'vitest';
import { buildEventPatterns, EVENT_PATTERNS, PATTERN_RESOURCE_TYPES } from '../../../eventbridge/patterns';
import { NORMALIZERS } from '../../../lib/sources';
import { SUPPORTED_RESOURCE_TYPES } from '../../../lib/sources/resource-arn';
import { PATTERN_CONTEXT } from './samples';

const rules = Object.entries(buildEventPatterns(PATTERN_CONTEXT));

describe('EVENT_PATTERNS', () => {
  it('has camelCase keys, a description and a source and detail-type for every rule', () => {
    for (const [name, rule] of rules) {
      expect(name).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(rule.description.length).toBeGreaterThan(10);
      expect(rule.pattern.source).toEqual([expect.any(String)]);
      expect(rule.pattern['detail-type']).toEqual(expect.arrayContaining([expect.any(String)]));
    }
  });

  it('only lets through events that have a normalizer', () => {
    for (const [, rule] of rules) {
      const [source] = rule.pattern.source as string[];
      for (const detailType of rule.pattern['detail-type'] as string[]) expect(NORMALIZERS.has(`${source}|${detailType}`)).toBe(true);
    }
  });

  it('covers every source of DESIGN.md §4', () => {
    const sources = new Set(rules.map(([, rule]) => (rule.pattern.source as string[])[0]));
    expect([...sources].sort()).toEqual(['aws.access-analyzer', 'aws.config', 'aws.guardduty', 'aws.securityhub']);
  });

  it('only names resource types the normalizers support', () => {
    for (const type of PATTERN_RESOURCE_TYPES) expect(SUPPORTED_RESOURCE_TYPES).toContain(type);
  });

  it('holds Serverless variables for the deployment facts, and never an empty list', () => {
    const text = JSON.stringify(EVENT_PATTERNS);
    expect(text).toContain('${aws:region}');
    expect(text).toContain('${aws:accountId}');
    expect(text).toContain('${param:homeRegion}');
    expect(text).not.toContain('[]');
  });

  it('restricts IAM findings to the home region', () => {
    const patterns = buildEventPatterns(PATTERN_CONTEXT);
    expect(patterns.accessAnalyzerIamRoleFindingsHomeRegion?.pattern.region).toEqual(['us-east-1']);
    expect(patterns.unusedAccessFindingsHomeRegion?.pattern.region).toEqual(['us-east-1']);
    expect(JSON.stringify(patterns.accessAnalyzerFindings?.pattern)).not.toContain('AWS::IAM::Role');
  });
});
