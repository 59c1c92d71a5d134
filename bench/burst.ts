/**
 * Burst: many findings started at once on the local stack (one shared with the other parts: only
 * this burst's resources and executions are counted). Resources of four
 * cheap types (S3 buckets, SQS queues, SNS topics, security groups) are opened,
 * several findings per resource are built from the sample events of four
 * sources, a share of them is delivered twice (a new event id, the same
 * finding), and every event starts its execution at the same moment. Then:
 * findings closed per second, peak memory of this process (the function host
 * runs in it) and of moto, the outcomes, and the resources changed (change
 * records in the audit table, and the resource writes the handlers made),
 * which must equal the distinct exposures; a live re-read of every resource
 * says whether any exposure is still open.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inBatches, uniqueName } from '../drills/harness';
import { LAMBDA_TIMED_OUT } from '../lib/errors';
import { outcomeOf } from '../lib/outcome';
import { analyzePolicy } from '../lib/policy';
import { RunStateSchema } from '../lib/workflow/state';
import type { LocalStack } from '../local/stack';
import { createExposedResource, findingEvent, redelivery, SAMPLES_BY_KIND, SOURCE_OF_SAMPLE, type BurstResource, type ResourceKind } from './burst-fixtures';
import type { CallRecorder } from './calls';
import { out, spread, table, type Spread } from './report';

export interface BurstOptions {
  /** Events started at once, duplicates included. */
  size: number;
  /** Share of the events that are a second delivery of another event (default 0.1). */
  duplicateShare?: number;
  /** Distinct findings per resource (default 3). */
  findingsPerResource?: number;
  /** How long to wait for every execution to end (default 15 min, or 1.5 s per event when that is longer). */
  timeoutMs?: number;
}

export interface BurstReport {
  findings: number;
  duplicates: number;
  distinctFindings: number;
  distinctExposures: number;
  resourcesByKind: Record<string, number>;
  eventsBySource: Record<string, number>;
  /** Every event's StartExecution sent (ms from the first). */
  startWindowMs: number;
  /** First start to last end, by Step Functions' own start and stop dates. */
  wallMs: number;
  closedPerSecond: number;
  executionMs: Spread;
  outcomes: Record<string, number>;
  /** The error and cause of up to three executions that did not succeed. */
  failureCauses: string[];
  unfinished: number;
  /** Distinct resources with an APPLIED change record. */
  resourcesChanged: number;
  changeRecords: number;
  /** Distinct resources the handlers wrote (from the recorded calls), and the write calls. */
  resourcesWritten: number;
  resourceWriteCalls: number;
  /** Write calls to anything that is not one of the burst's resources (must be none). */
  strayWrites: number;
  awsCalls: number;
  lambdaInvocations: number;
  /** Invocations the function host answered `Sandbox.Timedout` (ran past their function's timeout; the ASL retries them). */
  lambdaTimeouts: number;
  /** How long invocations waited in the function host for a free slot of their function before their handler started. */
  slotWaitMs: Spread;
  /** Resources still exposed when re-read after the burst. */
  stillOpen: string[];
  peakRssMiB: { host: number; moto: number | null; motoHighWater: number | null };
}

const KIND_CYCLE: readonly ResourceKind[] = ['s3', 'sqs', 's3', 'sns', 'sg'];

const mib = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** moto's process: the python child of this process running the launcher (Linux /proc; null elsewhere). */
function motoPid(): number | null {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== process.pid) continue;
        if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('moto_launcher')) return Number(entry);
      } catch {
        // the process ended while we looked
      }
    }
  } catch {
    // no /proc
  }
  return null;
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Is the resource still reachable from outside its account, read live from moto? */
async function stillExposed(stack: LocalStack, clients: { s3: S3Client; sqs: SQSClient; sns: SNSClient; ec2: EC2Client }, resource: BurstResource): Promise<boolean> {
  const zone = { accountIds: [stack.accountId] };
  const exposed = (policy: string | undefined | null): boolean => (policy ? analyzePolicy(policy, zone).exposed : false);
  switch (resource.kind) {
    case 's3': {
      const policy = await clients.s3.send(new GetBucketPolicyCommand({ Bucket: resource.name })).then(
        (r) => r.Policy,
        (error: Error) => {
          if (error.name === 'NoSuchBucketPolicy') return null;
          throw error;
        },
      );
      return exposed(policy);
    }
    case 'sqs': {
      const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: resource.name }));
      const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }));
      return exposed(Attributes?.Policy);
    }
    case 'sns': {
      const { Attributes } = await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: resource.arn }));
      return exposed(Attributes?.Policy);
    }
    case 'sg': {
      const { SecurityGroups } = await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [resource.name] }));
      return (SecurityGroups?.[0]?.IpPermissions ?? []).some(
        (p) => (p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0') && (p.IpProtocol === '-1' || ((p.FromPort ?? 0) <= 22 && (p.ToPort ?? 65535) >= 22)),
      );
    }
  }
}

export async function runBurst(stack: LocalStack, recorder: CallRecorder, options: BurstOptions): Promise<BurstReport> {
  const clients = { s3: new S3Client(stack.clientConfig), sqs: new SQSClient(stack.clientConfig), sns: new SNSClient(stack.clientConfig), ec2: new EC2Client(stack.clientConfig) };
  const sfn = new SFNClient(stack.clientConfig);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(stack.clientConfig));
  const duplicates = Math.round(options.size * (options.duplicateShare ?? 0.1));
  const distinctFindings = options.size - duplicates;
  const perResource = options.findingsPerResource ?? 3;
  const resourceCount = Math.ceil(distinctFindings / perResource);

  // The exposures: resources opened the way their findings describe (not timed).
  const resources = await inBatches(Array.from({ length: resourceCount }, (_, i) => KIND_CYCLE[i % KIND_CYCLE.length]!), 8, (kind) =>
    createExposedResource(clients, kind, uniqueName(`bench-burst-${kind}`).toLowerCase(), stack.region, stack.accountId),
  );
  // Several findings per resource, from the sources that report its type, in turn; then the redeliveries.
  const events: { event: Record<string, unknown>; source: string }[] = [];
  for (let i = 0; i < distinctFindings; i++) {
    const index = i % resourceCount;
    const resource = resources[index]!;
    const samples = SAMPLES_BY_KIND[resource.kind];
    // Start each resource's round at a different source, so that every source of a type is used.
    const sample = samples[(Math.floor(i / resourceCount) + index) % samples.length]!;
    events.push({ event: findingEvent(sample, resource, stack.accountId), source: SOURCE_OF_SAMPLE[sample] });
  }
  for (let i = 0; i < duplicates; i++) {
    const original = events[Math.floor(Math.random() * distinctFindings)]!;
    events.push({ event: redelivery(original.event), source: original.source });
  }
  shuffle(events);

  const callsBefore = recorder.calls.length;
  const invocationsBefore = stack.functionHost.invocations.length;
  const runsBefore = recorder.runs.length;
  const pid = motoPid();
  let peakHost = process.memoryUsage().rss;
  let peakMoto = pid ? (statusKiB(pid, 'VmRSS') ?? 0) : 0;
  const sampler = setInterval(() => {
    peakHost = Math.max(peakHost, process.memoryUsage().rss);
    if (pid) peakMoto = Math.max(peakMoto, statusKiB(pid, 'VmRSS') ?? 0);
  }, 200);

  try {
    // Started at once: StartExecution calls 50 in flight at a time (the SDK's sockets; moto answers them one by one anyway).
    const sendStart = Date.now();
    const arns = await inBatches(events, 50, async ({ event }) => {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: stack.stateMachineArn, name: uniqueName('burst'), input: JSON.stringify(event) }));
      return executionArn!;
    });
    const startWindowMs = Date.now() - sendStart;
    const mine = new Set(arns);

    // Wait with one ListExecutions per poll until nothing runs (the burst's executions, fan-out children included;
    // those of parts before it on this stack have ended).
    const deadline = Date.now() + (options.timeoutMs ?? Math.max(15 * 60_000, options.size * 1500));
    let listed: { executionArn?: string; status?: string; startDate?: Date; stopDate?: Date }[] = [];
    for (;;) {
      listed = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArn, maxResults: 1000, nextToken }));
        listed.push(...(page.executions ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      if (listed.every((e) => e.status !== 'RUNNING') || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    clearInterval(sampler);
    peakHost = Math.max(peakHost, process.memoryUsage().rss);

    const ours = listed.filter((e) => mine.has(e.executionArn ?? ''));
    const ended = ours.filter((e) => e.status !== 'RUNNING' && e.stopDate && e.startDate);
    const firstStart = Math.min(...ours.map((e) => e.startDate!.getTime()));
    const lastStop = Math.max(...ended.map((e) => e.stopDate!.getTime()));
    const wallMs = lastStop - firstStart;

    const outcomes: Record<string, number> = {};
    const failureCauses: string[] = [];
    await inBatches(ended, 16, async (e) => {
      const description = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
      const outcome =
        description.status === 'SUCCEEDED'
          ? outcomeOf(RunStateSchema.parse(JSON.parse(description.output ?? 'null'))).outcome
          : `${description.status} ${description.error ?? ''}`.trim();
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (description.status !== 'SUCCEEDED' && failureCauses.length < 3) failureCauses.push(`${description.error ?? '?'}: ${(description.cause ?? '').slice(0, 300)}`);
    });
    const unfinished = ours.length - ended.length;
    if (unfinished) outcomes.STILL_RUNNING = unfinished;

    // What changed: the audit table's change records, and the resource writes the handlers made.
    const changes: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({ TableName: stack.auditTable, FilterExpression: 'begins_with(pk, :change)', ExpressionAttributeValues: { ':change': 'CHANGE#' }, ExclusiveStartKey: start }),
      );
      changes.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey;
    } while (start);
    const exposed = new Set(resources.map((r) => r.arn));
    const applied = changes.filter((c) => c.status === 'APPLIED' && exposed.has(String(c.resourceArn)));
    const changedArns = new Set(applied.map((c) => String(c.resourceArn)));
    const calls = recorder.calls.slice(callsBefore);
    const hosted = stack.functionHost.invocations.slice(invocationsBefore);
    const writes = calls.filter((c) => c.resourceWrite);
    const strays = writes.filter((w) => !resources.some((r) => w.resource === r.name || w.resource?.endsWith(`/${r.name}`) || w.resource === r.arn));

    const stillOpen: string[] = [];
    await inBatches(resources, 8, async (r) => {
      if (await stillExposed(stack, clients, r)) stillOpen.push(r.arn);
    });

    const count = <T>(items: T[], key: (t: T) => string): Record<string, number> =>
      items.reduce<Record<string, number>>((acc, item) => ({ ...acc, [key(item)]: (acc[key(item)] ?? 0) + 1 }), {});
    return {
      findings: events.length,
      duplicates,
      distinctFindings,
      distinctExposures: resources.length,
      resourcesByKind: count(resources, (r) => r.kind),
      eventsBySource: count(events, (e) => e.source),
      startWindowMs,
      wallMs,
      closedPerSecond: Number((ended.length / (wallMs / 1000)).toFixed(1)),
      executionMs: spread(ended.map((e) => e.stopDate!.getTime() - e.startDate!.getTime())),
      outcomes,
      failureCauses,
      unfinished,
      resourcesChanged: changedArns.size,
      changeRecords: applied.length,
      resourcesWritten: new Set(writes.map((w) => w.resource ?? `${w.service}.${w.command}`)).size,
      resourceWriteCalls: writes.length,
      strayWrites: strays.length,
      awsCalls: calls.length,
      lambdaInvocations: recorder.runs.length - runsBefore,
      lambdaTimeouts: hosted.filter((i) => i.errorType === LAMBDA_TIMED_OUT).length,
      slotWaitMs: spread(hosted.map((i) => i.queuedMs ?? 0)),
      stillOpen,
      peakRssMiB: { host: mib(peakHost), moto: pid ? mib(peakMoto) : null, motoHighWater: pid ? mib(statusKiB(pid, 'VmHWM') ?? 0) : null },
    };
  } finally {
    clearInterval(sampler);
  }
}

export function printBurst(r: BurstReport): void {
  const kinds = Object.entries(r.resourcesByKind).map(([k, n]) => `${k} ${n}`).join(', ');
  const sources = Object.entries(r.eventsBySource).map(([k, n]) => `${k} ${n}`).join(', ');
  const mismatch = r.resourcesChanged !== r.distinctExposures;
  out(
    table(
      ['figure', 'value'],
      [
        ['events started at once', `${r.findings} (${r.distinctFindings} distinct findings + ${r.duplicates} redeliveries), all sent in ${r.startWindowMs} ms`],
        ['by source', sources],
        ['distinct exposures', `${r.distinctExposures} resources (${kinds})`],
        ['all ended after', `${(r.wallMs / 1000).toFixed(1)} s (first start to last stop)`],
        ['findings closed per second', String(r.closedPerSecond)],
        ['one execution, start to end', `${r.executionMs.median} ms median, ${r.executionMs.p95} ms p95, ${r.executionMs.max} ms max`],
        ['outcomes', Object.entries(r.outcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')],
        ['resources changed', `${r.resourcesChanged} (${r.changeRecords} applied change records)${mismatch ? `  <-- MISMATCH: ${r.distinctExposures} distinct exposures` : ` = ${r.distinctExposures} distinct exposures`}`],
        ['resources written (calls)', `${r.resourcesWritten} resources, ${r.resourceWriteCalls} write calls, ${r.strayWrites} to anything else`],
        ['still exposed (live re-read)', r.stillOpen.length ? `${r.stillOpen.length}: ${r.stillOpen.slice(0, 3).join(', ')}` : '0'],
        ['AWS calls / Lambda invocations', `${r.awsCalls} / ${r.lambdaInvocations}`],
        ['invocations timed out (retried)', String(r.lambdaTimeouts)],
        ['wait for a function slot', `${r.slotWaitMs.median} ms median, ${r.slotWaitMs.p95} ms p95, ${r.slotWaitMs.max} ms max`],
        ['peak RSS', `host (this process) ${r.peakRssMiB.host} MiB; moto ${r.peakRssMiB.moto ?? 'unknown'} MiB (high-water ${r.peakRssMiB.motoHighWater ?? 'unknown'} MiB)`],
      ],
      () => false,
    ),
  );
  for (const cause of r.failureCauses) out(`  failed: ${cause}`);
  for (const problem of burstProblems(r)) out(`!!! ${problem} !!!`);
}

/** What must not happen in a burst, in words (none: every exposure closed, exactly once); bench/run.ts fails the run on any. */
export function burstProblems(r: BurstReport): string[] {
  const problems: string[] = [];
  if (r.resourcesChanged !== r.distinctExposures) problems.push(`MISMATCH: ${r.resourcesChanged} resources changed for ${r.distinctExposures} distinct exposures`);
  if (r.stillOpen.length) problems.push(`${r.stillOpen.length} of ${r.distinctExposures} exposures still open after the burst`);
  if (r.unfinished) problems.push(`${r.unfinished} executions still running when the bench stopped waiting`);
  const failed = Object.entries(r.outcomes).filter(([o]) => /^(FAILED|TIMED_OUT|ABORTED)/.test(o));
  if (failed.length) problems.push(`executions that did not end as designed: ${failed.map(([o, n]) => `${o} ${n}`).join(', ')}`);
  if (r.strayWrites) problems.push(`${r.strayWrites} writes to resources outside the burst`);
  return problems;
}
