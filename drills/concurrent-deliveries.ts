/**
 * Drill: one exposure, many deliveries, one change. The same public bucket is
 * reported at once by Access Analyzer, Security Hub, Config and GuardDuty
 * (events/ samples re-aimed at it), then by those four and 20 versions of one
 * Access Analyzer finding together — each round on a bucket of its own.
 * A round passes when, after every execution has ended, the bucket has exactly
 * one change record APPLIED, exactly one PutBucketPolicy was sent for it, and
 * it is closed (deny-all with Block Public Access on), and no execution ended
 * FAILED (the others end as duplicates of the one that made the change).
 */
import { randomUUID } from 'node:crypto';
import { isResourceWrite } from './faults';
import { bucketName, truncate, type Drill, type DrillContext, type DrillOutcome } from './harness';
import { accessAnalyzerEvent, configEvent, guardDutyEvent, securityHubEvent } from './samples';

const VERSIONS = 20;

type Round = { name: string; events: (bucket: string) => Record<string, unknown>[] };

const fourSources = (bucket: string) => [accessAnalyzerEvent(bucket), securityHubEvent(bucket), configEvent(bucket), guardDutyEvent(bucket)];

function versionsOfOneFinding(bucket: string): Record<string, unknown>[] {
  const findingId = randomUUID();
  const base = Date.now() - VERSIONS * 1000;
  return Array.from({ length: VERSIONS }, (_, i) => accessAnalyzerEvent(bucket, { findingId, updatedAt: new Date(base + i * 1000) }));
}

const ROUNDS: Round[] = [
  { name: '4 sources', events: fourSources },
  { name: `4 sources + ${VERSIONS} versions`, events: (b) => [...fourSources(b), ...versionsOfOneFinding(b)] },
];

async function runRound(ctx: DrillContext, round: Round): Promise<{ failures: string[]; note: string }> {
  const bucket = bucketName('concurrent');
  const arn = `arn:aws:s3:::${bucket}`;
  await ctx.createBucket(bucket);
  const events = round.events(bucket);
  const executions = await Promise.all(events.map((event) => ctx.start(event, 'drill-concurrent')));
  const results = await ctx.followAll(executions, { timeoutMs: 120_000, until: (states) => states.includes('Escalate To On-Call') || states.includes('Request Approval') });
  await Promise.all(executions.map((e) => ctx.stopIfRunning(e)));
  const failures: string[] = [];
  const ends = new Map<string, number>();
  for (const result of results.values()) {
    const end = result.status === 'RUNNING' ? `waiting in ${result.states.at(-1)}` : `${result.status}${result.error ? ` ${result.error}` : ''}`;
    ends.set(end, (ends.get(end) ?? 0) + 1);
  }
  const causes = new Map<string, string>();
  for (const result of results.values()) if (result.error && !causes.has(result.error)) causes.set(result.error, result.cause ?? '');
  const records = await ctx.changesFor(arn);
  const applied = records.filter((r) => r.status === 'APPLIED');
  const writes = ctx.faults.calls.filter((c) => c.target === bucket && isResourceWrite(c));
  const putPolicies = writes.filter((c) => c.command === 'PutBucketPolicy');
  const live = await ctx.bucketState(bucket);
  if (applied.length !== 1) failures.push(`${round.name}: ${applied.length} change records APPLIED (of ${records.length}: ${records.map((r) => r.status).join(', ')}), expected exactly 1`);
  if (putPolicies.length !== 1) failures.push(`${round.name}: ${putPolicies.length} PutBucketPolicy calls, expected exactly 1`);
  if (!live.policy?.includes('"Deny"') || !live.publicAccessBlock?.includes('true')) failures.push(`${round.name}: the bucket is not closed at the end`);
  // The others wait for the lease holder and end as duplicates or already resolved: an execution that fails (and notifies a failure) is not that.
  const failed = [...ends].filter(([end]) => end.startsWith('FAILED') || end.startsWith('ABORTED') || end.startsWith('TIMED_OUT '));
  if (failed.length) failures.push(`${round.name}: executions ended ${failed.map(([e, n]) => `${n} ${e}`).join(', ')}; expected every one to end as the change or as a duplicate of it (${failed.map(([e]) => `${e}: ${truncate(causes.get(e.replace(/^FAILED /, '')) ?? '', 160)}`).join('; ')})`);
  const stuck = [...ends.keys()].filter((e) => e.startsWith('waiting') || e.startsWith('TIMED_OUT'));
  if (stuck.length) failures.push(`${round.name}: executions did not end: ${stuck.join(', ')}`);
  return {
    failures,
    note: `${round.name}: ${events.length} executions at once → ${[...ends].map(([e, n]) => `${n} ${e}`).join(', ')}; ${applied.length} APPLIED, ${putPolicies.length} PutBucketPolicy, ${writes.length} resource writes`,
  };
}

export const concurrentDeliveries: Drill = {
  name: 'concurrent-deliveries',
  timeoutMs: 150_000,
  async run(ctx): Promise<DrillOutcome> {
    const failures: string[] = [];
    const notes: string[] = [];
    for (const round of ROUNDS) {
      const result = await runRound(ctx, round);
      failures.push(...result.failures);
      notes.push(result.note);
    }
    return { tries: ROUNDS.length, failures, notes };
  },
};
