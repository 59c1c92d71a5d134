/**
 * ebs-snapshot-unshare — an EBS snapshot whose createVolumePermission reaches outside the zone of
 * trust: remove the accounts outside it and the public group `all`; shares with accounts inside the
 * zone stay. Rollback shares the snapshot again exactly as before.
 */
import { DescribeSnapshotAttributeCommand, EC2Client, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2';
import { toRemediatorError } from '../aws/errors';
import { ebsSnapshotIdOf } from './resource-ids';
import type { ControlContext, CorrectiveControl } from './types';
import { unshareControl } from './unshare';
import { controlFacts } from './catalog';

const PUBLIC = 'all';

async function read(ctx: ControlContext): Promise<string[]> {
  const snapshotId = ebsSnapshotIdOf(ctx);
  try {
    const result = await ctx.clients.get(EC2Client).send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }));
    return (result.CreateVolumePermissions ?? []).map((p) => (p.Group === PUBLIC ? PUBLIC : p.UserId)).filter((v): v is string => Boolean(v));
  } catch (error) {
    throw toRemediatorError(error, `reading who can create volumes from ${snapshotId}`, { resourceArn: ctx.finding.resource.arn });
  }
}

async function modify(ctx: ControlContext, operation: 'add' | 'remove', values: string[]): Promise<void> {
  if (!values.length) return;
  const snapshotId = ebsSnapshotIdOf(ctx);
  const userIds = values.filter((v) => v !== PUBLIC);
  try {
    await ctx.clients.get(EC2Client).send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: snapshotId,
        Attribute: 'createVolumePermission',
        OperationType: operation,
        ...(userIds.length ? { UserIds: userIds } : {}),
        ...(values.includes(PUBLIC) ? { GroupNames: [PUBLIC] } : {}),
      }),
    );
  } catch (error) {
    throw toRemediatorError(error, `${operation === 'add' ? 'sharing' : 'unsharing'} ${snapshotId}`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const ebsSnapshotUnshare: CorrectiveControl = unshareControl({
  facts: controlFacts('ebs-snapshot-unshare'),
  noun: 'EBS snapshot',
  publicValue: PUBLIC,
  access: { read, add: (ctx, values) => modify(ctx, 'add', values), remove: (ctx, values) => modify(ctx, 'remove', values) },
});
