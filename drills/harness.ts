/**
 * What every drill gets: the one local stack, clients of its own for moto
 * (never decorated: the drills' own reads and writes are not faults), the
 * fault plan, and helpers to start executions, read buckets, change records
 * and approvals, and click Slack buttons.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  DeletePublicAccessBlockCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { executionHistory, followExecution, statesEntered, type ExecutionResult } from '../local/execution';
import { interactionBody, signSlackBody } from '../local/slack-click';
import type { LocalStack } from '../local/stack';
import type { FaultPlan } from './faults';

export interface DrillOutcome {
  tries: number;
  failures: string[];
  /** How the drill ran (which path, counts): printed under the drill line. */
  notes: string[];
}

export interface Drill {
  name: string;
  /** Wall-clock budget; a drill still running after it counts one failure. */
  timeoutMs: number;
  run(ctx: DrillContext): Promise<DrillOutcome>;
}

/** Slack users of drills/rules.yaml. */
export const APPROVER = 'U0ONCALL';
export const SECOND_APPROVER = 'U0LEAD';
export const STRANGER = 'U0MALLORY';

export interface BucketState {
  policy: string | null;
  /** The four Block Public Access flags as JSON with sorted keys, or null when the bucket has none. */
  publicAccessBlock: string | null;
}

export class DrillContext {
  readonly s3: S3Client;
  readonly sfn: SFNClient;
  readonly doc: DynamoDBDocumentClient;

  constructor(
    readonly stack: LocalStack,
    readonly faults: FaultPlan,
    /** Function timeouts in seconds by function key (`remediate`), replacing serverless.yml's while set. */
    readonly timeouts: Map<string, number> = new Map(),
  ) {
    this.s3 = new S3Client(stack.clientConfig);
    this.sfn = new SFNClient(stack.clientConfig);
    this.doc = DynamoDBDocumentClient.from(new DynamoDBClient(stack.clientConfig));
  }

  // ---- buckets ---------------------------------------------------------------------------

  async createBucket(name: string, policy: string | null = publicReadPolicy(name)): Promise<void> {
    await this.s3.send(new CreateBucketCommand({ Bucket: name }));
    if (policy !== null) await this.s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: policy }));
  }

  async bucketState(bucket: string): Promise<BucketState> {
    const policy = await this.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
      (r) => r.Policy ?? null,
      (error: Error) => {
        if (error.name === 'NoSuchBucketPolicy') return null;
        throw error;
      },
    );
    const publicAccessBlock = await this.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })).then(
      (r) => normalizeBlock(r.PublicAccessBlockConfiguration ?? null),
      (error: Error) => {
        if (error.name === 'NoSuchPublicAccessBlockConfiguration') return null;
        throw error;
      },
    );
    return { policy, publicAccessBlock };
  }

  /** What a deploy pipeline with an old template does: Block Public Access off, a public policy back. */
  async reopen(bucket: string, policy: string): Promise<void> {
    await this.s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    await this.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
  }

  // ---- executions ------------------------------------------------------------------------

  /** The ARN an execution of this name gets (to aim faults at it before it starts). */
  executionArnOf(name: string): string {
    return `${this.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async start(input: unknown, prefix: string, name = uniqueName(prefix)): Promise<string> {
    const { executionArn } = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stack.stateMachineArn,
        name,
        input: typeof input === 'string' ? input : JSON.stringify(input),
      }),
    );
    return executionArn!;
  }

  follow(executionArn: string, options: { timeoutMs?: number; until?: (states: string[]) => boolean } = {}): Promise<ExecutionResult> {
    const until = options.until;
    return followExecution(this.sfn, executionArn, {
      timeoutMs: options.timeoutMs ?? 60_000,
      pollMs: 250,
      ...(until ? { until: (visits) => until(visits.map((v) => v.name)) } : {}),
    });
  }

  /**
   * Wait for many executions at once with one ListExecutions per poll (moto answers one
   * request at a time: polling each history would slow the executions down). An execution
   * counts as ended when it leaves RUNNING or, with `until`, when the states it entered say stop.
   */
  async followAll(
    executionArns: readonly string[],
    options: { timeoutMs?: number; until?: (states: string[]) => boolean } = {},
  ): Promise<Map<string, { status: string; error?: string; cause?: string; states: string[] }>> {
    const results = new Map<string, { status: string; error?: string; cause?: string; states: string[] }>();
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    const finish = async (arn: string): Promise<void> => {
      const [description, history] = await Promise.all([this.sfn.send(new DescribeExecutionCommand({ executionArn: arn })), executionHistory(this.sfn, arn)]);
      results.set(arn, { status: description.status ?? 'UNKNOWN', ...(description.error ? { error: description.error } : {}), ...(description.cause ? { cause: description.cause } : {}), states: statesEntered(history).map((v) => v.name) });
    };
    for (let poll = 0; ; poll++) {
      const running = new Set<string>();
      let nextToken: string | undefined;
      do {
        const page = await this.sfn.send(new ListExecutionsCommand({ stateMachineArn: this.stack.stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, nextToken }));
        for (const e of page.executions ?? []) if (e.executionArn) running.add(e.executionArn);
        nextToken = page.nextToken;
      } while (nextToken);
      const pending = executionArns.filter((arn) => !results.has(arn));
      for (const arn of pending.filter((a) => !running.has(a))) await finish(arn);
      const until = options.until;
      if (until && poll % 4 === 3) {
        for (const arn of pending.filter((a) => running.has(a))) {
          const states = statesEntered(await executionHistory(this.sfn, arn)).map((v) => v.name);
          if (until(states)) results.set(arn, { status: 'RUNNING', states });
        }
      }
      if (executionArns.every((arn) => results.has(arn))) return results;
      if (Date.now() > deadline) {
        for (const arn of executionArns.filter((a) => !results.has(a))) results.set(arn, { status: 'TIMED_OUT_WAITING', states: [] });
        return results;
      }
      await sleep(400);
    }
  }

  describe(executionArn: string) {
    return this.sfn.send(new DescribeExecutionCommand({ executionArn }));
  }

  async putPolicy(bucket: string, policy: string): Promise<void> {
    await this.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
  }

  async status(executionArn: string): Promise<string> {
    return (await this.sfn.send(new DescribeExecutionCommand({ executionArn }))).status ?? 'UNKNOWN';
  }

  async stopIfRunning(executionArn: string): Promise<void> {
    if ((await this.status(executionArn)) === 'RUNNING') {
      await this.sfn.send(new StopExecutionCommand({ executionArn, error: 'DrillCleanup', cause: 'stopped by the drill' })).catch(() => undefined);
    }
  }

  /** Invoke a hosted function the way Step Functions does (for the remediate function's rollback). */
  async invoke(functionKey: string, payload: unknown): Promise<{ ok: boolean; body: unknown }> {
    const response = await fetch(`${this.stack.functionHost.url}/invoke/remediator-local-${functionKey}`, {
      method: 'POST',
      body: JSON.stringify(payload),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text
    }
    return { ok: response.ok && !response.headers.get('x-amz-function-error'), body };
  }

  // ---- audit and approvals (raw items: fields the schema does not know yet are kept) ----

  async changesFor(resourceArn: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({
          TableName: this.stack.auditTable,
          FilterExpression: 'begins_with(pk, :change) AND resourceArn = :arn',
          ExpressionAttributeValues: { ':change': 'CHANGE#', ':arn': resourceArn },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async outcomeOf(executionArn: string): Promise<Record<string, unknown> | undefined> {
    const name = executionArn.split(':').pop();
    const result = await this.doc.send(new GetCommand({ TableName: this.stack.auditTable, Key: { pk: `EXECUTION#${name}`, sk: 'OUTCOME' }, ConsistentRead: true }));
    return result.Item as Record<string, unknown> | undefined;
  }

  async approvalsFor(findingId: string): Promise<Record<string, unknown>[]> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.stack.approvalsTable,
        IndexName: 'byFinding',
        KeyConditionExpression: 'findingId = :f',
        ExpressionAttributeValues: { ':f': findingId },
      }),
    );
    return (result.Items ?? []) as Record<string, unknown>[];
  }

  /** The pending approval (kind approval or on-call) for a finding, once the workflow has stored it. */
  async waitForApproval(findingId: string, kind: 'approval' | 'on-call', timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = (await this.approvalsFor(findingId)).find((a) => a.kind === kind && a.status === 'PENDING');
      if (found) return String(found.approvalId);
      await sleep(250);
    }
    throw new Error(`no pending ${kind} for finding ${findingId} within ${timeoutMs} ms`);
  }

  async getApproval(approvalId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.stack.approvalsTable, Key: { approvalId }, ConsistentRead: true }));
    return result.Item as Record<string, unknown> | undefined;
  }

  // ---- Slack -----------------------------------------------------------------------------

  /** POST a click to the Slack endpoint; by default correctly signed, from the drills' Slack team and app. */
  async click(options: SlackClick): Promise<{ status: number; body: string }> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const body = options.body ?? clickBody(options);
    const signature = options.signature ?? signSlackBody(options.signWith ?? this.stack.slack.signingSecret, timestamp, body);
    const response = await fetch(this.stack.interactionsUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
      },
      body: options.tamper ? options.tamper(body) : body,
    });
    return { status: response.status, body: await response.text() };
  }
}

export interface SlackClick {
  userId?: string;
  action?: 'approve' | 'reject' | 'acknowledge' | 'rollback';
  approvalId?: string;
  teamId?: string;
  appId?: string;
  timestamp?: number;
  signWith?: string;
  /** Send this exact body (a replay); otherwise one is built from the fields above. */
  body?: string;
  /** Send this exact signature header. */
  signature?: string;
  tamper?: (body: string) => string;
}

const ACTION_IDS = { approve: 'remediator_approve', reject: 'remediator_reject', acknowledge: 'remediator_acknowledge', rollback: 'remediator_rollback' };

/** Slack's form-encoded block_actions body; the local stack's Slack team and app unless overridden. */
export function clickBody(options: SlackClick): string {
  return interactionBody({
    userId: options.userId ?? APPROVER,
    actionId: ACTION_IDS[options.action ?? 'approve'],
    value: options.approvalId ?? 'apr_00000000000000000000000000000000',
    ...(options.teamId ? { teamId: options.teamId } : {}),
    ...(options.appId ? { appId: options.appId } : {}),
  });
}

// ---- small shared helpers ----------------------------------------------------------------

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A bucket name of this run: lower case, unique, at most 63 characters. */
export const bucketName = (prefix: string): string => uniqueName(`drill-${prefix}`).toLowerCase().slice(0, 63);

export function publicReadPolicy(bucket: string, sid = 'PublicRead'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: `arn:aws:s3:::${bucket}/*` }],
  });
}

export function normalizeBlock(config: object | null | undefined): string | null {
  if (!config) return null;
  const flags = config as Record<string, unknown>;
  const keys = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'];
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, flags[k] === true])));
}

/** A Block Public Access value as a change record stores it (JSON text) in the normalized form. */
export function normalizeStoredBlock(text: unknown): string | null {
  if (text === null || text === undefined) return null;
  try {
    return normalizeBlock(JSON.parse(String(text)) as object);
  } catch {
    return `unparseable:${String(text)}`;
  }
}

/** Run `jobs` with at most `width` at once, in order of the list. */
export async function inBatches<T, R>(items: readonly T[], width: number, job: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await job(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results;
}

export function truncate(text: string, max = 140): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
