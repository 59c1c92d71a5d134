/**
 * rds-snapshot-unshare — an RDS DB snapshot or DB cluster snapshot whose `restore` attribute
 * reaches outside the zone of trust: remove the accounts outside it and `all` (public); shares
 * with accounts inside the zone stay. Rollback shares the snapshot again exactly as before.
 */
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
  type DBClusterSnapshotAttribute,
  type DBSnapshotAttribute,
} from '@aws-sdk/client-rds';
import { toRemediatorError } from '../aws/errors';
import { rdsClusterSnapshotIdOf, rdsDbSnapshotIdOf } from './resource-ids';
import type { ControlContext, CorrectiveControl } from './types';
import { unshareControl } from './unshare';
import { controlFacts } from './catalog';

const RESTORE = 'restore';
const CLUSTER = 'AWS::RDS::DBClusterSnapshot';

const isCluster = (ctx: ControlContext) => ctx.finding.resource.type === CLUSTER;

function restoreValues(attributes: Array<DBSnapshotAttribute | DBClusterSnapshotAttribute> | undefined): string[] {
  return attributes?.find((a) => a.AttributeName === RESTORE)?.AttributeValues ?? [];
}

async function read(ctx: ControlContext): Promise<string[]> {
  const rds = ctx.clients.get(RDSClient);
  try {
    if (isCluster(ctx)) {
      const id = rdsClusterSnapshotIdOf(ctx);
      const result = await rds.send(new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: id }));
      return restoreValues(result.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes);
    }
    const id = rdsDbSnapshotIdOf(ctx);
    const result = await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: id }));
    return restoreValues(result.DBSnapshotAttributesResult?.DBSnapshotAttributes);
  } catch (error) {
    throw toRemediatorError(error, `reading who can restore ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

async function modify(ctx: ControlContext, change: { ValuesToAdd?: string[]; ValuesToRemove?: string[] }): Promise<void> {
  const rds = ctx.clients.get(RDSClient);
  try {
    if (isCluster(ctx)) {
      await rds.send(new ModifyDBClusterSnapshotAttributeCommand({ DBClusterSnapshotIdentifier: rdsClusterSnapshotIdOf(ctx), AttributeName: RESTORE, ...change }));
    } else {
      await rds.send(new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier: rdsDbSnapshotIdOf(ctx), AttributeName: RESTORE, ...change }));
    }
  } catch (error) {
    throw toRemediatorError(error, `changing who can restore ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const rdsSnapshotUnshare: CorrectiveControl = unshareControl({
  facts: controlFacts('rds-snapshot-unshare'),
  noun: 'RDS snapshot',
  publicValue: 'all',
  access: {
    read,
    add: (ctx, values) => (values.length ? modify(ctx, { ValuesToAdd: values }) : Promise.resolve()),
    remove: (ctx, values) => (values.length ? modify(ctx, { ValuesToRemove: values }) : Promise.resolve()),
  },
});
