/**
 * Task tokens stay server-side: Slack only ever sees an opaque approval id.
 * A decision is taken exactly once (conditional update PENDING -> DECIDED).
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from '../aws/clients';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import type { ApprovedPlan } from '../controls/runner';
import { ApprovalNotPendingError, RemediatorError } from '../errors';

export type ApprovalKind = 'approval' | 'on-call';

export interface ApprovalItem {
  approvalId: string;
  kind: ApprovalKind;
  taskToken: string;
  executionArn: string;
  findingId: string;
  resourceArn: string;
  accountId: string;
  controlId: string | null;
  changeId: string | null;
  approvers: string[];
  status: 'PENDING' | 'DECIDED';
  /** `link`: sent as signed links (the SNS fallback), answerable only by a link; absent: a Slack message, answerable only in Slack. */
  via?: 'link';
  channel?: string;
  messageTs?: string;
  decision?: string;
  decidedBy?: string;
  decidedAt?: string;
  createdAt: string;
  /** The exact plan shown to the approvers: what an Approve resumes Apply with (approvals only). */
  plan?: ApprovedPlan;
  /** Epoch seconds; the table's TTL attribute. */
  expiresAt: number;
}


/** The approvals table's index by finding id: what a resolved finding closes. */
export const BY_FINDING_INDEX = 'byFinding';

/**
 * The approval id of one wait for a human: derived from the task token (one per entry into the waiting state, the same
 * for every retry of its task), so a retried ask finds the approval its earlier attempt stored instead of leaving it
 * PENDING beside a second one. One-way: the id (a button value, a link) does not reveal the token.
 */
export const approvalIdFor = (taskToken: string): string => `apr_${createHash('sha256').update(taskToken).digest('hex').slice(0, 32)}`;

export class ApprovalStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    clients: AwsClients,
  ) {
    this.doc = DynamoDBDocumentClient.from(clients.get(DynamoDBClient), { marshallOptions: { removeUndefinedValues: true } });
  }

  async put(item: ApprovalItem): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(approvalId)' }));
    } catch (error) {
      throw toRemediatorError(error, `storing approval ${item.approvalId}`);
    }
  }

  /** Stores a new approval, or, when this id is stored already (a retried ask), gives that one back untouched. */
  async putOrGet(item: ApprovalItem): Promise<{ item: ApprovalItem; created: boolean }> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(approvalId)' }));
      return { item, created: true };
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw toRemediatorError(error, `storing approval ${item.approvalId}`);
    }
    const stored = await this.get(item.approvalId);
    if (!stored) throw new RemediatorError(`approval ${item.approvalId} was refused as already stored, yet cannot be read`);
    return { item: stored, created: false };
  }

  async get(approvalId: string): Promise<ApprovalItem | undefined> {
    try {
      const result = await this.doc.send(new GetCommand({ TableName: this.table, Key: { approvalId }, ConsistentRead: true }));
      return result.Item as ApprovalItem | undefined;
    } catch (error) {
      throw toRemediatorError(error, `reading approval ${approvalId}`);
    }
  }

  /** Approvals and escalations still waiting for a human about this finding. */
  async pendingForFinding(findingId: string): Promise<ApprovalItem[]> {
    try {
      const result = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: BY_FINDING_INDEX,
          KeyConditionExpression: 'findingId = :f',
          FilterExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':f': findingId, ':pending': 'PENDING' },
        }),
      );
      return (result.Items ?? []) as ApprovalItem[];
    } catch (error) {
      throw toRemediatorError(error, `listing pending approvals of finding ${findingId}`);
    }
  }

  async setMessage(approvalId: string, channel: string, messageTs: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { approvalId },
          UpdateExpression: 'SET channel = :c, messageTs = :t',
          ExpressionAttributeValues: { ':c': channel, ':t': messageTs },
        }),
      );
    } catch (error) {
      throw toRemediatorError(error, `updating approval ${approvalId}`);
    }
  }

  /** Exactly once: the second click on the same approval gets ApprovalNotPendingError. */
  async decide(approvalId: string, decision: string, decidedBy: string, now = new Date()): Promise<ApprovalItem> {
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { approvalId },
          UpdateExpression: 'SET #status = :decided, decision = :decision, decidedBy = :by, decidedAt = :at',
          ConditionExpression: '#status = :pending AND expiresAt > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':decided': 'DECIDED',
            ':pending': 'PENDING',
            ':decision': decision,
            ':by': decidedBy,
            ':at': now.toISOString(),
            ':now': Math.floor(now.getTime() / 1000),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as ApprovalItem;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        throw new ApprovalNotPendingError(`approval ${approvalId} was already decided, has expired, or does not exist`, { context: { approvalId } });
      }
      throw toRemediatorError(error, `deciding approval ${approvalId}`);
    }
  }

  /**
   * Undo a decision whose execution could not be resumed (Step Functions throttled or failed), so the person can
   * click again: only the decision this click took (same user, same time) is returned to PENDING.
   */
  async reopen(approvalId: string, decidedBy: string, decidedAt: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { approvalId },
          UpdateExpression: 'SET #status = :pending REMOVE decision, decidedBy, decidedAt',
          ConditionExpression: '#status = :decided AND decidedBy = :by AND decidedAt = :at',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':decided': 'DECIDED', ':by': decidedBy, ':at': decidedAt },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw toRemediatorError(error, `reopening approval ${approvalId}`);
    }
  }
}
