/**
 * The audit table (DynamoDB, pk/sk): change records, execution outcomes and
 * finding claims (idempotency). Change records are written before the change
 * they describe, so `before` is never lost.
 *
 *   pk CHANGE#<changeId>       sk RECORD   -> ChangeRecord
 *   pk EXECUTION#<name>        sk OUTCOME  -> how an execution ended (incl. rejected input)
 *   pk FINDING#<key>           sk CLAIM    -> which execution handles this finding version
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from '../aws/clients';
import { toRemediatorError } from '../aws/errors';
import { RemediatorError } from '../errors';
import { ChangeRecordSchema, type ChangeRecord } from '../finding';

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
    await this.put({ pk: `CHANGE#${record.changeId}`, sk: 'RECORD', ...ChangeRecordSchema.parse(record) }, 'attribute_not_exists(pk)', `saving change record ${record.changeId}`);
  }

  async getChange(changeId: string): Promise<ChangeRecord | undefined> {
    const item = await this.get(`CHANGE#${changeId}`, 'RECORD', `reading change record ${changeId}`);
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = item;
    return ChangeRecordSchema.parse(rest);
  }

  async setChangeStatus(changeId: string, status: ChangeRecord['status'], fields: { error?: string; rolledBackBy?: string; rollbackOverwrote?: Record<string, string | null> } = {}): Promise<void> {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':status': status, ':updatedAt': new Date().toISOString() };
    let expression = 'SET #status = :status, #updatedAt = :updatedAt';
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      values[`:${key}`] = value;
      expression += `, #${key} = :${key}`;
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `CHANGE#${changeId}`, sk: 'RECORD' },
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      throw toRemediatorError(error, `updating change record ${changeId}`);
    }
  }

  async recordOutcome(executionName: string, outcome: Record<string, unknown>): Promise<void> {
    await this.put({ pk: `EXECUTION#${executionName}`, sk: 'OUTCOME', recordedAt: new Date().toISOString(), ...outcome }, undefined, `recording outcome of ${executionName}`);
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
