/**
 * Drill: bad and hostile events change nothing. Every event of the corpus
 * (drills/hostile-corpus.ts) goes through Classify Finding — the real handler,
 * invoked through the function host as Step Functions invokes it — and a
 * fixed sample of them through the whole state machine. Passes when each one
 * is refused at classification (with the named error the issue asks for) or
 * decided into an action that touches nothing, when no execution enters a
 * state that acts, when no resource write is recorded, and when both target
 * buckets are byte for byte as they were.
 */
import { ACCEPTED_ERRORS, hostileCorpus, type HostileEvent } from './hostile-corpus';
import { isResourceWrite } from './faults';
import { bucketName, inBatches, truncate, type Drill, type DrillContext, type DrillOutcome } from './harness';
import { ACTING_DECISIONS, ACTING_STATES, REMEDIATOR_ERROR_NAMES } from './verdicts';

const STATE_MACHINE_SAMPLE_EVERY = 20;
const FAKE_EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:remediator-local-remediation:drill-hostile';

interface ClassifyAnswer {
  ok: boolean;
  body: unknown;
}

/** Why the answer of Classify Finding to a hostile event is wrong, or null when it is a refusal. */
function judgeClassification(item: HostileEvent, answer: ClassifyAnswer): string | null {
  const accepted = ACCEPTED_ERRORS[item.expect];
  const acceptable = (name: string) => (accepted === 'any-named' ? REMEDIATOR_ERROR_NAMES.has(name) : accepted.includes(name));
  if (!answer.ok) {
    const name = String((answer.body as { errorType?: unknown })?.errorType ?? 'unknown');
    return acceptable(name) ? null : `refused with ${name}, expected ${accepted === 'any-named' ? 'a named Remediator error' : accepted.join(' or ')}`;
  }
  const output = (answer.body ?? {}) as { decision?: { action?: string; reason?: string }; rejected?: { errorName?: string }[]; batch?: unknown };
  if (output.batch) return 'accepted as a batch of findings';
  const action = output.decision?.action ?? 'none';
  if (ACTING_DECISIONS.has(action)) return `accepted: decision ${action} (${truncate(output.decision?.reason ?? '', 80)})`;
  // A multi-finding source (Security Hub) records a bad finding as rejected and ignores it: the rejection must carry the expected name.
  const rejectedNames = (output.rejected ?? []).map((r) => String(r.errorName));
  if (item.expect !== 'refused' && !rejectedNames.some(acceptable)) {
    return `not refused: decision ${action}${rejectedNames.length ? ` (rejected as ${rejectedNames.join(', ')})` : ''}, expected ${accepted === 'any-named' ? 'a refusal' : accepted.join(' or ')}`;
  }
  return null;
}

async function throughClassify(ctx: DrillContext, corpus: HostileEvent[], failures: string[], refusals: Map<string, number>): Promise<void> {
  await inBatches(corpus, 8, async (item, index) => {
    const answer = await ctx.invoke('classify', { task: 'classify-finding', state: item.event, execution: `${FAKE_EXECUTION}-${index}` });
    const name = answer.ok ? `decision ${String((answer.body as { decision?: { action?: string } })?.decision?.action)}` : String((answer.body as { errorType?: unknown })?.errorType);
    refusals.set(name, (refusals.get(name) ?? 0) + 1);
    const problem = judgeClassification(item, answer);
    if (problem) failures.push(`[classify] ${item.category} / ${item.label}: ${problem}`);
  });
}

async function throughStateMachine(ctx: DrillContext, sample: HostileEvent[], failures: string[], refused: string[]): Promise<void> {
  const started: { item: HostileEvent; executionArn: string }[] = [];
  for (const item of sample) {
    try {
      started.push({ item, executionArn: await ctx.start(item.event ?? null, 'drill-hostile') });
    } catch (error) {
      // Step Functions itself refuses some inputs (oversized ones): nothing started, nothing to judge.
      refused.push(`${item.label} (${(error as Error).name})`);
    }
  }
  const results = await ctx.followAll(
    started.map((s) => s.executionArn),
    { timeoutMs: 90_000, until: (states) => states.some((s) => ACTING_STATES.has(s)) },
  );
  for (const { item, executionArn } of started) {
    await ctx.stopIfRunning(executionArn);
    const result = results.get(executionArn)!;
    const acted = result.states.filter((s) => ACTING_STATES.has(s));
    if (acted.length) failures.push(`[state machine] ${item.category} / ${item.label}: entered ${acted.join(', ')}`);
    else if (result.status === 'RUNNING' || result.status === 'TIMED_OUT_WAITING') failures.push(`[state machine] ${item.category} / ${item.label}: did not end`);
    const writes = ctx.faults.calls.filter((c) => c.invocation.execution === executionArn && isResourceWrite(c));
    if (writes.length) failures.push(`[state machine] ${item.category} / ${item.label}: ${writes.map((w) => `${w.client}.${w.command}(${w.target})`).join(', ')}`);
  }
}

export const hostileEvents: Drill = {
  name: 'hostile-events',
  timeoutMs: 120_000,
  async run(ctx): Promise<DrillOutcome> {
    const since = Date.now();
    const bucket = bucketName('hostile');
    const prodBucket = bucketName('hostile-prod');
    await ctx.createBucket(bucket);
    await ctx.createBucket(prodBucket);
    const initial = { [bucket]: await ctx.bucketState(bucket), [prodBucket]: await ctx.bucketState(prodBucket) };

    const corpus = hostileCorpus(bucket, prodBucket);
    // A fresh copy (new finding ids) for the state machine: the classify calls above claim the finding versions they saw.
    const sample = hostileCorpus(bucket, prodBucket).filter((_, index) => index % STATE_MACHINE_SAMPLE_EVERY === 0);
    const refusedByStepFunctions: string[] = [];
    const failures: string[] = [];
    const refusals = new Map<string, number>();
    await throughClassify(ctx, corpus, failures, refusals);
    await throughStateMachine(ctx, sample, failures, refusedByStepFunctions);

    const writes = ctx.faults.callsSince(since, isResourceWrite);
    for (const write of writes) failures.push(`resource write recorded: ${write.client}.${write.command}(${write.target}) by ${write.invocation.fn} ${write.invocation.execution ?? ''}`);
    for (const [name, before] of Object.entries(initial)) {
      const after = await ctx.bucketState(name);
      if (after.policy !== before.policy || after.publicAccessBlock !== before.publicAccessBlock) failures.push(`bucket ${name} changed`);
    }
    const categories = new Map<string, number>();
    for (const item of corpus) categories.set(item.category, (categories.get(item.category) ?? 0) + 1);
    return {
      tries: corpus.length + sample.length,
      failures,
      notes: [
        `${corpus.length} events through Classify Finding (real handler via the function host), ${sample.length} of them (every ${STATE_MACHINE_SAMPLE_EVERY}th) through the state machine`,
        `corpus: ${[...categories].map(([c, n]) => `${c} ${n}`).join(', ')}`,
        `answers: ${[...refusals].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${c}`).join(', ')}`,
        `resource writes recorded: ${writes.length}`,
        ...(refusedByStepFunctions.length ? [`StartExecution refused (nothing started): ${refusedByStepFunctions.join(', ')}`] : []),
      ],
    };
  },
};
