/**
 * Runs a corrective control with the guarantees every control shares:
 *
 * - One writer per resource: a lease (lib/audit/store.ts) is held from the plan
 *   to the recorded write, so findings about one exposure from several sources,
 *   versions or deliveries make exactly one change; the others re-plan from the
 *   live resource after it and find nothing left to do.
 * - Idempotent per execution: the change id is the execution's, so a retried
 *   Apply finds its own record and completes it instead of writing twice or
 *   forgetting the change it made — also when Lambda stopped the earlier
 *   attempt between two writes (what it left is saved as `resumedFrom`).
 * - What the approver saw is what gets written: with an approved plan, the live
 *   resource must still match its `before` (and the fix its `after`), or
 *   nothing is written (PlanChangedError: ask again).
 * - Nothing is lost: the ChangeRecord (with the exact `before`) is stored
 *   before the first write; a write that fails half-way puts `before` back, and
 *   when that fails too the live resource is re-read and stored as `live`.
 * - Rollback moves APPLIED → ROLLING_BACK → ROLLED_BACK with conditional
 *   writes, saving what it overwrites first; a second rollback is refused with
 *   the first one's identity.
 */
import { ChangeStateConflict, type AuditStore, type Lease } from '../audit/store';
import { ControlFailedError, PlanChangedError, RollbackFailedError, TransientAwsError, describeError } from '../errors';
import type { ChangeRecord } from '../finding';
import { logger } from '../logger';
import { getControl } from './registry';
import { sameState } from './state';
import type { ControlContext, ControlPlan, CorrectiveControl, ResourceState, VerifyOutcome } from './types';

export type ApplyStatus = 'REMEDIATED' | 'NOT_APPLICABLE';

export interface ApplyResult {
  status: ApplyStatus;
  controlId: string;
  changeId: string | null;
  summary: string;
  reason: string;
  /** Another execution already changed this resource a moment ago: this one is its duplicate. */
  handledBy?: string;
}

/** The plan a human approved, carried through the task token to Apply. */
export interface ApprovedPlan {
  before: ResourceState;
  after: ResourceState;
  summary: string;
  planHash: string;
}

/** Longer than one Apply can take (the remediate function's timeout is 60 s). */
export const LEASE_SECONDS = 90;
/** A change this recent by another execution makes a not-applicable plan a duplicate of it. */
const DUPLICATE_WINDOW_MS = 60 * 60 * 1000;

export async function planChange(controlId: string, ctx: ControlContext): Promise<ControlPlan> {
  return getControl(controlId).plan(ctx);
}

export interface ApplyArgs {
  controlId: string;
  ctx: ControlContext;
  store: AuditStore;
  changeId: string;
  executionArn: string;
  actor: string;
  approvedPlan?: ApprovedPlan;
  /**
   * Checked with the fresh plan, under the lease, before anything is recorded or written (not for an approved
   * plan: a human saw it). Throwing stops the change: the blast-radius cap throws ApprovalRequiredError.
   */
  gate?: (plan: ControlPlan) => void;
}

export async function applyChange(args: ApplyArgs): Promise<ApplyResult> {
  const { controlId, ctx, store, executionArn } = args;
  const control = getControl(controlId);
  const resourceArn = ctx.finding.resource.arn;
  const lease = await store.acquireLease(resourceArn, executionArn, LEASE_SECONDS);
  let lastChange: { changeId: string; executionArn: string } | undefined;
  try {
    const existing = await store.getChange(args.changeId);
    const result = existing ? await resumeChange(control, args, existing) : await applyNew(control, args, lease);
    if (result.status === 'REMEDIATED' && result.changeId) lastChange = { changeId: result.changeId, executionArn };
    return result;
  } finally {
    await store.releaseLease(resourceArn, executionArn, lastChange).catch((error: unknown) => {
      logger.warn('could not release the lease; it expires by itself', { resourceArn, executionArn, error: describeError(error) });
    });
  }
}

async function applyNew(control: CorrectiveControl, args: ApplyArgs, lease: Lease): Promise<ApplyResult> {
  const { controlId, ctx, store, changeId } = args;
  const log = { findingId: ctx.finding.id, controlId, resourceArn: ctx.finding.resource.arn, executionArn: args.executionArn };
  const plan = await control.plan(ctx);
  if (args.approvedPlan && !(sameState(plan.before, args.approvedPlan.before) && sameState(plan.after, args.approvedPlan.after))) {
    throw new PlanChangedError(`${ctx.finding.resource.arn} changed since the plan was approved: nothing written, the change must be approved again`, {
      context: { ...log, approvedPlanHash: args.approvedPlan.planHash },
    });
  }
  if (!plan.applicable) {
    const recent = lease.lastChange && lease.lastChange.executionArn !== args.executionArn && Date.now() - Date.parse(lease.lastChange.at) < DUPLICATE_WINDOW_MS;
    logger.info('control not applicable, nothing written', { ...log, reason: plan.reason, handledBy: recent ? lease.lastChange?.executionArn : undefined });
    return {
      status: 'NOT_APPLICABLE',
      controlId,
      changeId: null,
      summary: plan.summary,
      reason: recent ? `${plan.reason}: already changed by ${lease.lastChange?.executionArn} (change ${lease.lastChange?.changeId})` : plan.reason,
      ...(recent ? { handledBy: lease.lastChange?.executionArn } : {}),
    };
  }
  if (!args.approvedPlan) args.gate?.(plan);
  const now = new Date().toISOString();
  const record: ChangeRecord = {
    changeId,
    controlId,
    findingId: ctx.finding.id,
    resourceArn: ctx.finding.resource.arn,
    resourceType: ctx.finding.resource.type,
    selection: { source: ctx.finding.source, type: ctx.finding.type, labels: ctx.finding.labels },
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
  await writeOrRestore(control, args, plan);
  return { status: 'REMEDIATED', controlId, changeId, summary: plan.summary, reason: plan.reason };
}

/** A retry of this execution's Apply: complete the record it left, never write twice. */
async function resumeChange(control: CorrectiveControl, args: ApplyArgs, record: ChangeRecord): Promise<ApplyResult> {
  const done = (reason: string): ApplyResult => ({ status: 'REMEDIATED', controlId: record.controlId, changeId: record.changeId, summary: `change ${record.changeId}`, reason });
  switch (record.status) {
    case 'APPLIED':
    case 'ROLLING_BACK':
    case 'ROLLED_BACK':
      return done(`change ${record.changeId} was already applied by this execution`);
    case 'FAILED':
      throw new ControlFailedError(`change ${record.changeId} already failed: ${record.error ?? 'see the change record'}`, { context: { changeId: record.changeId } });
    case 'PENDING': {
      const live = await control.snapshot(args.ctx);
      if (sameState(live, record.after)) {
        await args.store.transitionChange(record.changeId, { from: ['PENDING'], to: 'APPLIED' });
        logger.info('a retried apply found its own write in place and completed the record', { changeId: record.changeId });
        return done('the write of an earlier attempt was in place; the record is now complete');
      }
      if (sameState(live, record.before)) {
        const plan: ControlPlan = { applicable: true, reason: 'completing an interrupted change', before: record.before, after: record.after, summary: `change ${record.changeId}` };
        await writeOrRestore(control, args, plan);
        return done('an earlier attempt stopped before writing; written now');
      }
      // Part of the way: an attempt stopped between the writes of a control that makes several (Lambda's timeout,
      // a lost container). Finish the change when every field is as recorded before or after, or when the control,
      // planned afresh from what is there now, leads to exactly the recorded `after`: save what is there first,
      // write the rest, and put the recorded `before` back if that write fails. Anything else means someone else
      // changed the resource: write nothing.
      if (await partWay(control, args.ctx, live, record)) {
        await args.store.transitionChange(record.changeId, { from: ['PENDING'], to: 'PENDING', fields: { resumedFrom: live } });
        const rest: ControlPlan = { applicable: true, reason: 'completing a part-written change', before: live, after: record.after, summary: `change ${record.changeId}` };
        await writeOrRestore(control, args, rest, record.before);
        logger.info('a retried apply completed a change an earlier attempt left part-written', { changeId: record.changeId });
        return done('an earlier attempt stopped part-way; the rest is written now');
      }
      await args.store.transitionChange(record.changeId, { from: ['PENDING'], to: 'FAILED', fields: { live, error: 'the resource changed while the change was pending' } });
      throw new ControlFailedError(`${record.resourceArn} is neither as before nor on the way to the planned after of an interrupted change: nothing written; the live state is in change ${record.changeId}`, {
        context: { changeId: record.changeId },
      });
    }
  }
}

/** Is `live` on the way from the record's `before` to its `after` (field by field, or as the control plans it now)? */
async function partWay(control: CorrectiveControl, ctx: ControlContext, live: ResourceState, record: ChangeRecord): Promise<boolean> {
  const fields = new Set([...Object.keys(record.before), ...Object.keys(record.after), ...Object.keys(live)]);
  const fieldByField = [...fields].every((key) => sameState({ v: live[key] ?? null }, { v: record.before[key] ?? null }) || sameState({ v: live[key] ?? null }, { v: record.after[key] ?? null }));
  if (fieldByField) return true;
  const fresh = await control.plan(ctx).catch((error: unknown) => {
    if (error instanceof TransientAwsError) throw error;
    return null;
  });
  return Boolean(fresh?.applicable && sameState(fresh.after, record.after));
}

/** Writes the plan; if that fails, puts `restoreTo` back (the recorded `before`: by default the plan's own). */
async function writeOrRestore(control: CorrectiveControl, args: ApplyArgs, plan: ControlPlan, restoreTo: ResourceState = plan.before): Promise<void> {
  const { ctx, store, changeId, controlId } = args;
  try {
    await control.write(ctx, plan);
  } catch (error) {
    const restore = await control.restore(ctx, restoreTo).then(
      () => ({ restored: true as const, note: 'restored' }),
      (restoreError: unknown) => ({ restored: false as const, note: `restore failed too: ${describeError(restoreError).message}` }),
    );
    // After a failed restore the record must say what is really there: re-read it, never assume.
    const live = restore.restored ? undefined : await control.snapshot(ctx).catch((readError: unknown) => ({ unreadable: describeError(readError).message }));
    await store.transitionChange(changeId, { from: ['PENDING'], to: 'FAILED', fields: { error: `${describeError(error).message} (${restore.note})`, ...(live ? { live } : {}) } });
    logger.error('control write failed', { controlId, changeId, resourceArn: ctx.finding.resource.arn, error: describeError(error), restore: restore.note, live });
    throw new ControlFailedError(`${controlId} could not change ${ctx.finding.resource.arn}: ${describeError(error).message} (${restore.note})`, {
      cause: error,
      context: { changeId, resourceArn: ctx.finding.resource.arn, restored: restore.restored, ...(live ? { live } : {}) },
    });
  }
  await store.transitionChange(changeId, { from: ['PENDING'], to: 'APPLIED' });
}

export async function verifyChange(controlId: string, ctx: ControlContext): Promise<VerifyOutcome> {
  return getControl(controlId).verify(ctx);
}

export interface RollbackArgs {
  ctx: ControlContext;
  store: AuditStore;
  changeId: string;
  /** Who asked (`slack:<user>`, the proven ARN of an operator). */
  actor: string;
  /** The execution doing the rollback: it holds the rollback until it is done (default: the actor). */
  holder?: string;
}

/**
 * The rollback's context with the finding the change was made for (rule, ports, access key), as its record keeps it:
 * a manual rollback request names only the resource, and a control that selects by the finding must restore what it selected.
 */
function withRecordedSelection(ctx: ControlContext, record: ChangeRecord): ControlContext {
  if (!record.selection) return ctx;
  return { ...ctx, finding: { ...ctx.finding, ...record.selection } };
}

export async function rollbackChange(args: RollbackArgs): Promise<ChangeRecord> {
  const { store, changeId } = args;
  const holder = args.holder ?? args.actor;
  const record = await store.getChange(changeId);
  if (!record) throw new RollbackFailedError(`no change record ${changeId}`, { context: { changeId } });
  if (record.rollbackBy && record.rollbackBy !== holder) {
    throw new RollbackFailedError(`change ${changeId} is already ${record.status === 'ROLLED_BACK' ? 'rolled back' : 'being rolled back'} by ${record.rollbackBy} (asked by ${record.rolledBackBy ?? 'unknown'})`, {
      context: { changeId, rollbackBy: record.rollbackBy },
    });
  }
  if (record.status === 'ROLLED_BACK') return record;
  if (record.status !== 'APPLIED' && record.status !== 'ROLLING_BACK') {
    throw new RollbackFailedError(`change ${changeId} is ${record.status}: nothing was applied to roll back`, { context: { changeId } });
  }
  const control = getControl(record.controlId);
  const ctx = withRecordedSelection(args.ctx, record);
  const resourceArn = record.resourceArn;
  await store.acquireLease(resourceArn, holder, LEASE_SECONDS);
  let claimed = record.status === 'ROLLING_BACK';
  try {
    let overwrote = record.rollbackOverwrote;
    if (!claimed) {
      // A rollback is a write too: what it overwrites (the fix, or whatever drifted in since) is saved first, in the
      // same conditional write that claims the rollback, so a racing rollback can neither lose it nor overwrite it.
      overwrote = await control.snapshot(ctx);
      try {
        await store.transitionChange(changeId, { from: ['APPLIED'], to: 'ROLLING_BACK', holder, fields: { rollbackBy: holder, rolledBackBy: args.actor, rollbackOverwrote: overwrote } });
      } catch (error) {
        if (!(error instanceof ChangeStateConflict)) throw error;
        const now = await store.getChange(changeId);
        throw new RollbackFailedError(`change ${changeId} is already being rolled back by ${now?.rollbackBy ?? 'another execution'}`, { cause: error, context: { changeId, rollbackBy: now?.rollbackBy } });
      }
      claimed = true;
    }
    await control.restore(ctx, record.before);
    // `live` and `error` described an attempt that failed (throttled, say); this one restored `before`, so they no longer hold.
    await store.transitionChange(changeId, { from: ['ROLLING_BACK'], to: 'ROLLED_BACK', holder, remove: ['live', 'error'] });
    return { ...record, status: 'ROLLED_BACK', rollbackBy: holder, rolledBackBy: args.actor, ...(overwrote ? { rollbackOverwrote: overwrote } : {}) };
  } catch (error) {
    if (error instanceof RollbackFailedError) throw error;
    // Whatever failed, the record must say what is really on the resource now: re-read it, never assume.
    const live = await control.snapshot(ctx).catch((readError: unknown) => ({ unreadable: describeError(readError).message }));
    const status = claimed ? 'ROLLING_BACK' : 'APPLIED';
    await store
      .transitionChange(changeId, { from: [status], to: status, ...(claimed ? { holder } : {}), fields: { live, error: `rollback failed: ${describeError(error).message}` } })
      .catch((recordError: unknown) => logger.error('could not store the live state after a failed rollback', { changeId, error: describeError(recordError), live }));
    // Throttling and 5xx stay retryable: the retry of this execution resumes its own rollback.
    if (error instanceof TransientAwsError) throw error;
    throw new RollbackFailedError(`could not restore ${resourceArn}: ${describeError(error).message}; the live state is in change ${changeId}`, { cause: error, context: { changeId, live } });
  } finally {
    await store.releaseLease(resourceArn, holder).catch(() => undefined);
  }
}
