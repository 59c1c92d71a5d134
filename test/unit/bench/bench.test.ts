import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findingEvent, redelivery, SAMPLES_BY_KIND, SOURCE_OF_SAMPLE, type BurstResource, type ResourceKind } from '../../../bench/burst-fixtures';
import { median, percentile, spread, table } from '../../../bench/report';
import { EXPECTED_PATHS } from '../../../bench/workflow-cost';
import { normalizeEvent, type NormalizeOptions } from '../../../lib/sources';

const ACCOUNT = '123456789012';
const DEPLOYMENT: NormalizeOptions = { homeRegion: 'us-east-1', deployment: { accountId: ACCOUNT, region: 'us-east-1' } };

const RESOURCES: Record<ResourceKind, BurstResource> = {
  s3: { kind: 's3', name: 'bench-burst-s3-0a1b2c3d', arn: 'arn:aws:s3:::bench-burst-s3-0a1b2c3d' },
  sqs: { kind: 'sqs', name: 'bench-burst-sqs-0a1b2c3d', arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:bench-burst-sqs-0a1b2c3d` },
  sns: { kind: 'sns', name: 'bench-burst-sns-0a1b2c3d', arn: `arn:aws:sns:us-east-1:${ACCOUNT}:bench-burst-sns-0a1b2c3d` },
  sg: { kind: 'sg', name: 'sg-0123456789abcdef0', arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-0123456789abcdef0` },
};

describe('bench statistics', () => {
  it('takes the median of an odd and an even count, unsorted', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('takes the nearest-rank p95: the 95th of 100 values, the largest of 10', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 95)).toBe(10);
  });

  it('spreads values into median, p95, min, max and count', () => {
    expect(spread([30, 10, 20])).toEqual({ median: 20, p95: 30, min: 10, max: 30, n: 3 });
  });

  it('pads a table to its widest cell, the first column left-aligned', () => {
    expect(table(['path', 'n'], [['auto', '8'], ['escalate', '16']]).split('\n')).toEqual(['path       n', '--------  --', 'auto       8', 'escalate  16']);
  });
});

describe('burst findings built from the sample events', () => {
  const cases = (Object.keys(SAMPLES_BY_KIND) as ResourceKind[]).flatMap((kind) => SAMPLES_BY_KIND[kind].map((sample) => [kind, sample] as const));

  it.each(cases)('a %s finding from %s names the resource of this run, in this account', (kind, sample) => {
    const resource = RESOURCES[kind];
    const result = normalizeEvent(findingEvent(sample, resource, ACCOUNT), DEPLOYMENT);
    if (SOURCE_OF_SAMPLE[sample] === 'security-hub') {
      // Config's own rule delivers this finding in this account and region: the Security Hub copy is ignored by design.
      expect(result).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/arrive through the direct Config rule/) });
      return;
    }
    expect(result.kind).toBe('findings');
    const [finding] = result.kind === 'findings' ? result.findings : [];
    expect(finding?.source).toBe(SOURCE_OF_SAMPLE[sample]);
    expect(finding?.resource.arn).toBe(resource.arn);
    expect(finding?.resource.accountId).toBe(ACCOUNT);
  });

  it('gives two findings about one resource from one source different versions', () => {
    const first = normalizeEvent(findingEvent('s3GuardDuty', RESOURCES.s3, ACCOUNT), DEPLOYMENT);
    const second = normalizeEvent(findingEvent('s3GuardDuty', RESOURCES.s3, ACCOUNT), DEPLOYMENT);
    const id = (r: typeof first): string | undefined => (r.kind === 'findings' ? r.findings[0]?.id : undefined);
    expect(id(first)).toBeDefined();
    expect(id(first)).not.toBe(id(second));
  });

  it('redelivers the same finding under a new event id', () => {
    const event = findingEvent('sqsAccessAnalyzer', RESOURCES.sqs, ACCOUNT);
    const again = redelivery(event);
    expect(again.id).not.toBe(event.id);
    expect(again.detail).toEqual(event.detail);
  });
});

describe('the paths the workflow bench expects, read by hand from the ASL', () => {
  type AslState = { Type: string; Next?: string; Default?: string; Choices?: { Next: string }[]; Catch?: { Next: string }[]; End?: boolean };
  const asl = JSON.parse(readFileSync(fileURLToPath(new URL('../../../statemachines/remediation.asl.json', import.meta.url)), 'utf8')) as {
    StartAt: string;
    States: Record<string, AslState>;
  };
  const successors = (name: string): string[] => {
    const state = asl.States[name];
    if (!state) throw new Error(`no state "${name}" in the ASL`);
    return [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next), ...(state.Catch ?? []).map((c) => c.Next)].filter((n): n is string => !!n);
  };

  it.each(Object.entries(EXPECTED_PATHS))('%s: every step is a transition the ASL allows', (path, states) => {
    const first = path === 'approve (after click)' ? successors('Request Approval') : [asl.StartAt];
    expect(first).toContain(states[0]);
    for (let i = 1; i < states.length; i++) expect(successors(states[i - 1]!), `${states[i - 1]} -> ${states[i]}`).toContain(states[i]);
  });

  it.each(Object.entries(EXPECTED_PATHS).filter(([path]) => path !== 'approve (to click)'))('%s ends in the Succeed state', (_path, states) => {
    expect(asl.States[states.at(-1)!]?.Type).toBe('Succeed');
  });
});
