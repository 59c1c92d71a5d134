/**
 * Runs a corrective control with the guarantees every control shares:
 * the ChangeRecord (with the exact `before`) is stored before the first
 * write; a write that fails half-way puts `before` back; a rollback restores
 * `before` from the stored record, never from the event.
 */
import type { AuditStore } from '../audit/store';
import { ControlFailedError, RollbackFailedError, describeError } from '../errors';
import type { ChangeRecord } from '../finding';
import { logger } from '../logger';
import { getControl } from './registry';
import type { ControlContext, ControlPlan, VerifyOutcome } from './types';

export type ApplyStatus = 'REMEDIATED' | 'NOT_APPLICABLE';

export interface ApplyResult {
  status: ApplyStatus;
  controlId: string;
  changeId: string | null;
  summary: string;
  reason: string;
}

export async function planChange(controlId: string, ctx: ControlContext): Promise<ControlPlan> {
  return getControl(controlId).plan(ctx);
}

export async function applyChange(args: {
  controlId: string;
  ctx: ControlContext;
  store: AuditStore;
  changeId: string;
  executionArn: string;
  actor: string;
}): Promise<ApplyResult> {
  const { controlId, ctx, store, changeId } = args;
  const control = getControl(controlId);
  const plan = await control.plan(ctx);
  const log = { findingId: ctx.finding.id, controlId, resourceArn: ctx.finding.resource.arn, executionArn: args.executionArn };
  if (!plan.applicable) {
    logger.info('control not applicable, nothing written', { ...log, reason: plan.reason });
    return { status: 'NOT_APPLICABLE', controlId, changeId: null, summary: plan.summary, reason: plan.reason };
  }
  const now = new Date().toISOString();
  const record: ChangeRecord = {
    changeId,
    controlId,
    findingId: ctx.finding.id,
    resourceArn: ctx.finding.resource.arn,
    resourceType: ctx.finding.resource.type,
    accountId: ctx.finding.resource.accountId,
    region: ctx.finding.resource.region,
    executionArn: args.executionArn,
    actor: args.actor,
    status: 'PENDING',
    before: plan.before,
    after: plan.after,
    createdAt: now,
    updatedAt: now,
  };
  await store.createChange(record);
  logger.info('change record saved, writing', { ...log, changeId });
  try {
    await control.write(ctx, plan);
  } catch (error) {
    const restored = await control.restore(ctx, plan.before).then(
      () => 'restored',
      (restoreError: unknown) => `restore failed too: ${describeError(restoreError).message}`,
    );
    await store.setChangeStatus(changeId, 'FAILED', { error: `${describeError(error).message} (${restored})` });
    logger.error('control write failed', { ...log, changeId, error: describeError(error), restored });
    throw new ControlFailedError(`${controlId} could not change ${ctx.finding.resource.arn}: ${describeError(error).message} (${restored})`, {
      cause: error,
      context: { ...log, changeId },
    });
  }
  await store.setChangeStatus(changeId, 'APPLIED');
  return { status: 'REMEDIATED', controlId, changeId, summary: plan.summary, reason: plan.reason };
}

export async function verifyChange(controlId: string, ctx: ControlContext): Promise<VerifyOutcome> {
  return getControl(controlId).verify(ctx);
}

export async function rollbackChange(args: { ctx: ControlContext; store: AuditStore; changeId: string; actor: string }): Promise<ChangeRecord> {
  const record = await args.store.getChange(args.changeId);
  if (!record) throw new RollbackFailedError(`no change record ${args.changeId}`, { context: { changeId: args.changeId } });
  if (record.status === 'ROLLED_BACK') return record;
  const control = getControl(record.controlId);
  // A rollback is a write too: what it overwrites (the fix, or whatever has drifted in since) is saved first.
  const current = await control.snapshot(args.ctx);
  await args.store.setChangeStatus(args.changeId, record.status, { rollbackOverwrote: current });
  try {
    await control.restore(args.ctx, record.before);
  } catch (error) {
    throw new RollbackFailedError(`could not restore ${record.resourceArn}: ${describeError(error).message}`, { cause: error, context: { changeId: args.changeId } });
  }
  await args.store.setChangeStatus(args.changeId, 'ROLLED_BACK', { rolledBackBy: args.actor });
  return { ...record, status: 'ROLLED_BACK', rolledBackBy: args.actor, rollbackOverwrote: current };
}
