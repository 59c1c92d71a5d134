/**
 * The audit table (DynamoDB, pk/sk): change records, execution outcomes and
 * finding claims (idempotency). Change records are written before the change
 * they describe, so `before` is never lost.
 *
 *   pk CHANGE#<changeId>       sk RECORD   -> ChangeRecord
 *   pk EXECUTION#<name>        sk OUTCOME  -> how an execution ended (incl. rejected input)
 *   pk FINDING#<key>           sk CLAIM    -> which execution handles this finding version
 *   pk LEASE#<resourceArn>     sk LEASE    -> which execution may plan and write this resource now,
 *                                             and the last change written under the lease
 *
 * Change records and outcomes that name a resource also carry `historyResourceArn` and `historyAt`, the keys of the
 * `byResource` index: a resource's history across executions (lib/audit/history.ts).
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from '../aws/clients';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { RemediatorError, ResourceBusyError } from '../errors';
import { ChangeRecordSchema, type ChangeRecord } from '../finding';

type ChangeStatus = ChangeRecord['status'];
type ResourceStateFields = Record<string, string | null>;

/** The fields a status transition may set on a change record. */
export interface ChangeFields {
  error?: string;
  rolledBackBy?: string;
  rollbackBy?: string;
  rollbackOverwrote?: ResourceStateFields;
  resumedFrom?: ResourceStateFields;
  live?: ResourceStateFields;
}

/** What a lease holder learns on acquiring it: the last change written under the lease, if any. */
export interface Lease {
  resourceArn: string;
  holder: string;
  expiresAt: number;
  lastChange?: { changeId: string; executionArn: string; at: string };
}

/** The index of the audit table keyed by resource ARN (serverless.yml AuditTable), newest first by `historyAt`. */
export const RESOURCE_HISTORY_INDEX = 'byResource';

/** The index keys of a record about `resourceArn` at `at` (none for a record that names no resource). */
export function resourceHistoryKeys(resourceArn: unknown, at: string): { historyResourceArn?: string; historyAt?: string } {
  return typeof resourceArn === 'string' && resourceArn ? { historyResourceArn: resourceArn, historyAt: at } : {};
}

/** A guarded transition found the record in another state (or held by someone else). */
/** Tries at taking a lease that is released while we look (then busy: the state machine retries). */
const LEASE_ATTEMPTS = 3;

export class ChangeStateConflict extends RemediatorError {
  override readonly name = 'ChangeStateConflict';
}

export class AuditStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    clients: AwsClients,
  ) {
    this.doc = DynamoDBDocumentClient.from(clients.get(DynamoDBClient), { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Fails if a record with this id exists: one change per execution. */
  async createChange(record: ChangeRecord): Promise<void> {
    const item = ChangeRecordSchema.parse(record);
    await this.put({ pk: `CHANGE#${record.changeId}`, sk: 'RECORD', ...item, ...resourceHistoryKeys(item.resourceArn, item.createdAt) }, 'attribute_not_exists(pk)', `saving change record ${record.changeId}`);
  }

  async getChange(changeId: string): Promise<ChangeRecord | undefined> {
    const item = await this.get(`CHANGE#${changeId}`, 'RECORD', `reading change record ${changeId}`);
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = item;
    return ChangeRecordSchema.parse(rest);
  }

  /**
   * Move a change record to `status`, setting `fields`, only if it is now in one
   * of `from` (and, with `holder`, only if that holder owns its rollback).
   * A record in another state raises ChangeStateConflict: two writers never
   * both believe they moved it.
   */
  async transitionChange(
    changeId: string,
    transition: { from: readonly ChangeStatus[]; to: ChangeStatus; fields?: ChangeFields; holder?: string; remove?: readonly (keyof ChangeFields)[] },
  ): Promise<void> {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':status': transition.to, ':updatedAt': new Date().toISOString() };
    let expression = 'SET #status = :status, #updatedAt = :updatedAt';
    for (const [key, value] of Object.entries(transition.fields ?? {})) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      values[`:${key}`] = value;
      expression += `, #${key} = :${key}`;
    }
    const removed = (transition.remove ?? []).map(String);
    for (const key of removed) names[`#${key}`] = key;
    if (removed.length) expression += ` REMOVE ${removed.map((key) => `#${key}`).join(', ')}`;
    const from = transition.from.map((_, index) => `:from${index}`);
    transition.from.forEach((status, index) => (values[`:from${index}`] = status));
    let condition = `attribute_exists(pk) AND #status IN (${from.join(', ')})`;
    if (transition.holder !== undefined) {
      names['#rollbackBy'] = 'rollbackBy';
      values[':holder'] = transition.holder;
      condition += ' AND (attribute_not_exists(#rollbackBy) OR #rollbackBy = :holder)';
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `CHANGE#${changeId}`, sk: 'RECORD' },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') {
        const now = await this.getChange(changeId);
        throw new ChangeStateConflict(
          `change ${changeId} is ${now?.status ?? 'missing'}${now?.rollbackBy ? ` (rollback held by ${now.rollbackBy})` : ''}, not ${transition.from.join(' or ')}: not moved to ${transition.to}`,
          { cause: error, context: { changeId, status: now?.status, rollbackBy: now?.rollbackBy } },
        );
      }
      throw toRemediatorError(error, `updating change record ${changeId}`);
    }
  }

  /**
   * Take the lease on a resource for `holder` (an execution) for `ttlSeconds`.
   * Free, expired, or already this holder's: taken. Held by another: ResourceBusyError,
   * which the state machine retries with backoff. A crashed holder's lease expires.
   */
  async acquireLease(resourceArn: string, holder: string, ttlSeconds: number, now = new Date()): Promise<Lease> {
    // The lease can be released between our refused write and our read of who holds it: then try again.
    for (let attempt = 1; ; attempt += 1) {
      const taken = await this.tryLease(resourceArn, holder, ttlSeconds, now);
      if (taken.lease) return taken.lease;
      const item = taken.heldBy;
      if (typeof item?.holder === 'string' || attempt >= LEASE_ATTEMPTS) {
        const until = Number(item?.expiresAt);
        throw new ResourceBusyError(
          `${resourceArn} is being changed by ${String(item?.holder ?? 'another execution')}${Number.isFinite(until) ? ` (lease until ${new Date(until * 1000).toISOString()})` : ''}`,
          { context: { resourceArn, holder: item?.holder } },
        );
      }
    }
  }

  private async tryLease(
    resourceArn: string,
    holder: string,
    ttlSeconds: number,
    now: Date,
  ): Promise<{ lease: Lease; heldBy?: undefined } | { lease?: undefined; heldBy: Record<string, unknown> | undefined }> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `LEASE#${resourceArn}`, sk: 'LEASE' },
          UpdateExpression: 'SET holder = :me, expiresAt = :expires, acquiredAt = :at',
          ConditionExpression: 'attribute_not_exists(holder) OR holder = :me OR expiresAt < :now',
          ExpressionAttributeValues: { ':me': holder, ':expires': nowSeconds + ttlSeconds, ':at': now.toISOString(), ':now': nowSeconds },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = result.Attributes ?? {};
      return { lease: { resourceArn, holder, expiresAt: Number(item.expiresAt), ...(item.lastChange ? { lastChange: item.lastChange as Lease['lastChange'] } : {}) } };
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') {
        return { heldBy: await this.get(`LEASE#${resourceArn}`, 'LEASE', `reading the lease on ${resourceArn}`) };
      }
      throw toRemediatorError(error, `taking the lease on ${resourceArn}`);
    }
  }

  /** Give the lease back, remembering the change written under it (so a later duplicate can point at it). */
  async releaseLease(resourceArn: string, holder: string, lastChange?: { changeId: string; executionArn: string }): Promise<void> {
    const values: Record<string, unknown> = { ':me': holder };
    let expression = 'REMOVE holder, expiresAt';
    if (lastChange) {
      values[':last'] = { ...lastChange, at: new Date().toISOString() };
      expression = `SET lastChange = :last ${expression}`;
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `LEASE#${resourceArn}`, sk: 'LEASE' },
          UpdateExpression: expression,
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // Expired and taken by another execution: that one re-plans from the live resource; nothing to undo here.
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return;
      throw toRemediatorError(error, `releasing the lease on ${resourceArn}`);
    }
  }

  async recordOutcome(executionName: string, outcome: Record<string, unknown>): Promise<void> {
    const item: Record<string, unknown> = { recordedAt: new Date().toISOString(), ...outcome };
    await this.put({ pk: `EXECUTION#${executionName}`, sk: 'OUTCOME', ...item, ...resourceHistoryKeys(item.resourceArn, String(item.recordedAt)) }, undefined, `recording outcome of ${executionName}`);
  }

  async getOutcome(executionName: string): Promise<Record<string, unknown> | undefined> {
    return this.get(`EXECUTION#${executionName}`, 'OUTCOME', `reading outcome of ${executionName}`);
  }

  /**
   * Claim a finding version for an execution. EventBridge delivers at least
   * once and cannot name executions, so a second delivery is recognised here.
   * Returns the execution that holds the claim (this one, or an earlier one).
   */
  async claimFinding(findingKey: string, executionArn: string): Promise<string> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `FINDING#${findingKey}`, sk: 'CLAIM', executionArn, claimedAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk) OR executionArn = :me',
          ExpressionAttributeValues: { ':me': executionArn },
        }),
      );
      return executionArn;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') {
        const item = await this.get(`FINDING#${findingKey}`, 'CLAIM', `reading claim ${findingKey}`);
        return String(item?.executionArn ?? 'unknown');
      }
      throw toRemediatorError(error, `claiming finding ${findingKey}`);
    }
  }

  private async put(item: Record<string, unknown>, condition: string | undefined, doing: string): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: condition }));
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        throw new RemediatorError(`${doing}: a record with this key exists already`, { cause: error });
      }
      throw toRemediatorError(error, doing);
    }
  }

  private async get(pk: string, sk: string, doing: string): Promise<Record<string, unknown> | undefined> {
    try {
      const result = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }));
      return result.Item;
    } catch (error) {
      throw toRemediatorError(error, doing);
    }
  }
}
