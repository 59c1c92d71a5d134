/**
 * Record Outcome: every execution leaves one outcome row in the audit table, rejected input included.
 * Before the row is written, the outcome is written back to the Security Hub finding it came from
 * (behind a setting, lib/writeback/security-hub.ts); the write-back's result is kept in the row, and
 * a write-back failure is logged and recorded, never raised.
 */
import type { AuditStore } from '../audit/store';
import type { AwsClients } from '../aws/clients';
import { logger } from '../logger';
import { outcomeOf } from '../outcome';
import { auditStore } from '../runtime/audit';
import { clients } from '../runtime/clients';
import { securityHubWriteBackEnabled, writeBackToSecurityHub, type WriteBackResult } from '../writeback/security-hub';
import { defineTask } from './dispatch';
import { RunStateSchema, type RunState } from './state';
import { executionName, type TaskInput } from './types';

/** What the write-back needs: the deployment's clients, and whether it is switched on. */
export interface WriteBackDeps {
  clients: AwsClients;
  securityHub: boolean;
}

export async function recordRun(input: TaskInput, audit: AuditStore, extra: { writeBack?: WriteBackResult } = {}): Promise<void> {
  const { state } = input;
  const { outcome, headline } = outcomeOf(state);
  await audit.recordOutcome(executionName(input.execution), {
    executionArn: input.execution,
    outcome,
    headline,
    findingId: state.finding?.id ?? null,
    resourceArn: state.finding?.resource.arn ?? null,
    action: state.decision?.action ?? null,
    ruleId: state.decision?.ruleId ?? null,
    changeId: state.change?.changeId ?? null,
    error: state.error ? { name: state.error.Error, cause: state.error.Cause.slice(0, 4000) } : null,
    rejected: state.rejected ?? state.batch?.rejected ?? [],
    startedFindings: state.batch?.started?.length ?? null,
    ...(extra.writeBack ? { writeBack: extra.writeBack } : {}),
  });
  const log = { outcome, executionArn: input.execution, findingId: state.finding?.id };
  if (outcome === 'FAILED') logger.error('execution failed', { ...log, error: state.error?.Error });
  else logger.info('execution recorded', log);
}

/** Write the outcome back to Security Hub when switched on and the finding came from it; never throws. */
export async function writeBackOutcome(input: TaskInput, deps: WriteBackDeps | undefined): Promise<WriteBackResult | undefined> {
  if (!deps?.securityHub || input.state.finding?.source !== 'security-hub') return undefined;
  const result = await writeBackToSecurityHub(input.state, input.execution, deps.clients);
  const log = { executionArn: input.execution, findingId: input.state.finding.id, writeBack: result.status, reason: result.reason };
  if (result.status === 'FAILED') logger.warn('security hub write-back failed', log);
  else logger.info('security hub write-back', log);
  return result;
}

/** Write back (when on), then record the outcome with the write-back's result. */
export async function recordWithWriteBack(input: TaskInput, deps: { audit: AuditStore; writeBack?: WriteBackDeps }): Promise<void> {
  const writeBack = await writeBackOutcome(input, deps.writeBack);
  await recordRun(input, deps.audit, writeBack ? { writeBack } : {});
}

export async function recordOutcome(input: TaskInput, deps: { audit: AuditStore; writeBack?: WriteBackDeps }): Promise<RunState> {
  await recordWithWriteBack(input, deps);
  return input.state;
}

/** The write-back settings of this process. */
export function writeBackDeps(): WriteBackDeps {
  return { clients: clients(), securityHub: securityHubWriteBackEnabled() };
}

export const recordOutcomeTask = defineTask('record-outcome', RunStateSchema, (input) => recordOutcome(input, { audit: auditStore(), writeBack: writeBackDeps() }));
