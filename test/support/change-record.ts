import type { ControlContext, ControlPlan } from '../../lib/controls/types';
import type { ChangeRecord } from '../../lib/finding';

/** What an Apply leaves when its function stops right after saving the record, before or between its writes. */
export function pendingChangeRecord(ctx: ControlContext, controlId: string, changeId: string, executionArn: string, plan: ControlPlan): ChangeRecord {
  const now = new Date().toISOString();
  const { finding } = ctx;
  return {
    changeId,
    controlId,
    findingId: finding.id,
    resourceArn: finding.resource.arn,
    resourceType: finding.resource.type,
    accountId: finding.resource.accountId,
    region: finding.resource.region,
    executionArn,
    actor: 'auto',
    status: 'PENDING',
    before: plan.before,
    after: plan.after,
    createdAt: now,
    updatedAt: now,
  };
}
