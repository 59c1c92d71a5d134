import { describe, expect, it } from 'vitest';
import { canonicalJson, planHash } from '../../../lib/controls/plan-hash';

const plan = { controlId: 's3-deny-all-bucket-policy', resourceArn: 'arn:aws:s3:::b', before: { policy: '{"a":1}', publicAccessBlock: null }, after: { policy: '{}', publicAccessBlock: '{}' } };

describe('planHash', () => {
  it('is the sha256 of the canonical JSON: key order does not matter', () => {
    const reordered = { after: { publicAccessBlock: '{}', policy: '{}' }, before: { publicAccessBlock: null, policy: '{"a":1}' }, resourceArn: 'arn:aws:s3:::b', controlId: 's3-deny-all-bucket-policy' };
    expect(planHash(reordered)).toBe(planHash(plan));
    expect(planHash(plan)).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson({ b: [2, { d: null, c: 'x' }], a: 1 })).toBe('{"a":1,"b":[2,{"c":"x","d":null}]}');
  });

  it.each([
    ['the prior state', { ...plan, before: { ...plan.before, policy: '{"a":2}' } }],
    ['the change', { ...plan, after: { ...plan.after, publicAccessBlock: null } }],
    ['the resource', { ...plan, resourceArn: 'arn:aws:s3:::c' }],
    ['the control', { ...plan, controlId: 'other' }],
  ])('changes with %s', (_what, other) => {
    expect(planHash(other)).not.toBe(planHash(plan));
  });

  it('ignores nothing else that the plan carries (only the four fields count)', () => {
    expect(planHash({ ...plan, summary: 'shown to people' } as typeof plan)).toBe(planHash(plan));
  });
});
