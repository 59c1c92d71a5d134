/**
 * A resource's history across executions, newest first: every decision, change (before and after), verification,
 * human answer, rollback and failure the audit table holds for it. Read from the table's `byResource` index, which
 * change records and execution outcomes carry (lib/audit/store.ts); shared by `remediate history` and any function
 * that needs to know what was already done to a resource.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from '../aws/clients';
import { toRemediatorError } from '../aws/errors';
import { ChangeRecordSchema, type ChangeRecord } from '../finding';
import { RESOURCE_HISTORY_INDEX } from './store';

export const HISTORY_KINDS = ['decision', 'change', 'verification', 'human', 'rollback', 'failure'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

export interface HistoryEntry {
  /** ISO time of what happened. */
  at: string;
  kind: HistoryKind;
  /** The execution it happened in (a rollback: the execution that rolled back). */
  executionArn: string;
  findingId: string | null;
  /** One line for people. */
  summary: string;
  /** The workflow's outcome of that execution (RESOLVED, ESCALATED, …), for entries from an outcome. */
  outcome?: string;
  /** What triage decided and by which rule, for entries from an outcome. */
  decision?: { action: string | null; ruleId: string | null };
  /** Changes and rollbacks: the change record. */
  change?: { changeId: string; controlId: string; status: ChangeRecord['status']; actor: string; before: ChangeRecord['before']; after: ChangeRecord['after'] };
  /** Rollbacks: who asked for it; human answers: who gave it, when the outcome names them. */
  by?: string;
  error?: { name: string; message: string };
}

export interface HistoryQuery {
  resourceArn: string;
  /** Only what concerns this finding. */
  findingId?: string;
  /** Only what happened at or after this time. */
  since?: Date;
}

/** Outcomes by what they tell about the resource. */
const KIND_OF_OUTCOME: Record<string, HistoryKind> = {
  FAILED: 'failure',
  RESOLVED: 'verification',
  NOT_APPLICABLE: 'verification',
  ALREADY_RESOLVED: 'verification',
  ACKNOWLEDGED: 'human',
  REJECTED: 'human',
  APPROVAL_EXPIRED: 'human',
  ESCALATED: 'human',
  ROLLED_BACK: 'rollback',
};

const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

/** A recorded error cause as a message: a Lambda error's JSON gives its `errorMessage` (never its stack trace). */
function causeText(cause: string | null): string {
  if (!cause) return '';
  try {
    const parsed: unknown = JSON.parse(cause);
    const message = parsed && typeof parsed === 'object' ? str((parsed as Record<string, unknown>).errorMessage) : null;
    return message ?? cause;
  } catch {
    return cause;
  }
}

/** The entries one change record tells: the change itself, then its rollback or its failure. */
export function changeEntries(record: ChangeRecord): HistoryEntry[] {
  const change = { changeId: record.changeId, controlId: record.controlId, status: record.status, actor: record.actor, before: record.before, after: record.after };
  const base = { findingId: record.findingId, change };
  const entries: HistoryEntry[] = [
    { ...base, at: record.createdAt, kind: 'change', executionArn: record.executionArn, summary: `${record.controlId} changed ${Object.keys(record.after).sort().join(', ') || 'nothing'} (by ${record.actor}; now ${record.status})` },
  ];
  if (record.status === 'ROLLED_BACK' || record.status === 'ROLLING_BACK') {
    entries.push({
      ...base,
      at: record.updatedAt,
      kind: 'rollback',
      executionArn: record.rollbackBy ?? record.executionArn,
      summary: `change ${record.changeId} ${record.status === 'ROLLED_BACK' ? 'rolled back' : 'being rolled back'}${record.rolledBackBy ? ` at the request of ${record.rolledBackBy}` : ''}`,
      ...(record.rolledBackBy ? { by: record.rolledBackBy } : {}),
    });
  }
  if (record.error) {
    entries.push({ ...base, at: record.updatedAt, kind: 'failure', executionArn: record.rollbackBy ?? record.executionArn, summary: `change ${record.changeId}: ${record.error}`, error: { name: 'ChangeFailed', message: record.error } });
  }
  return entries;
}

/** The entry one execution outcome tells (what the workflow decided and how it ended). */
export function outcomeEntry(item: Record<string, unknown>): HistoryEntry {
  const outcome = str(item.outcome) ?? 'UNKNOWN';
  const error = item.error && typeof item.error === 'object' ? (item.error as Record<string, unknown>) : null;
  const match = /\(by (?:<@([^>]+)>|(link:[^)\s]+))\)/.exec(str(item.headline) ?? '');
  const decidedBy = match?.[1] ?? match?.[2];
  return {
    at: str(item.recordedAt) ?? str(item.historyAt) ?? '',
    kind: KIND_OF_OUTCOME[outcome] ?? 'decision',
    executionArn: str(item.executionArn) ?? '',
    findingId: str(item.findingId),
    summary: `${outcome}: ${str(item.headline) ?? ''}`,
    outcome,
    decision: { action: str(item.action), ruleId: str(item.ruleId) },
    ...(decidedBy ? { by: decidedBy } : {}),
    ...(error ? { error: { name: str(error.name) ?? 'Error', message: causeText(str(error.cause)) } } : {}),
  };
}

/** Every entry for the resource, newest first (ties: in the order the workflow makes them, reversed). */
export function historyOf(items: readonly Record<string, unknown>[], query: HistoryQuery): HistoryEntry[] {
  const changes = items.filter((item) => String(item.pk).startsWith('CHANGE#')).map((item) => ChangeRecordSchema.parse(item));
  const rollbackExecutions = new Set(changes.flatMap((change) => (change.status === 'ROLLED_BACK' && change.rollbackBy ? [change.rollbackBy] : [])));
  const outcomes = items
    .filter((item) => String(item.pk).startsWith('EXECUTION#'))
    // A rollback execution's outcome says what the change record's rollback entry says, with less (not who asked).
    .filter((item) => !(item.outcome === 'ROLLED_BACK' && rollbackExecutions.has(String(item.executionArn))))
    .map(outcomeEntry);
  const order = (entry: HistoryEntry) => HISTORY_KINDS.indexOf(entry.kind);
  return [...changes.flatMap(changeEntries), ...outcomes]
    .filter((entry) => !query.findingId || entry.findingId === query.findingId)
    .filter((entry) => !query.since || Date.parse(entry.at) >= query.since.getTime())
    .sort((a, b) => b.at.localeCompare(a.at) || order(b) - order(a));
}

/** Every record of the audit table about the resource (change records and outcomes), through the byResource index. */
export async function resourceRecords(table: string, clients: AwsClients, resourceArn: string): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(clients.get(DynamoDBClient));
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  try {
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: RESOURCE_HISTORY_INDEX,
          KeyConditionExpression: 'historyResourceArn = :arn',
          ExpressionAttributeValues: { ':arn': resourceArn },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
  } catch (error) {
    throw toRemediatorError(error, `reading the history of ${resourceArn} (index ${RESOURCE_HISTORY_INDEX} of ${table})`);
  }
  return items;
}

export async function resourceHistory(table: string, clients: AwsClients, query: HistoryQuery): Promise<HistoryEntry[]> {
  return historyOf(await resourceRecords(table, clients, query.resourceArn), query);
}
