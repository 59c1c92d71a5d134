/** rds-snapshot-unshare against the emulator's RDS DB and cluster snapshots, through the runner. */
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { getControl } from '../../lib/controls/registry';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const rds = new RDSClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const parsedState = (state: Record<string, string | null>) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v === null ? null : JSON.parse(v)]));
const CONTROL = 'rds-snapshot-unshare';
const MEMBER = '111111111111';
const OUTSIDER = '444455556666';

async function dbSnapshotSharedWith(values: string[]): Promise<{ name: string; arn: string }> {
  const db = uniqueName('db');
  await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: db, DBInstanceClass: 'db.t3.micro', Engine: 'postgres', MasterUsername: 'admin1', MasterUserPassword: 'password123', AllocatedStorage: 20 }));
  const name = uniqueName('db-snap');
  const created = await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: db, DBSnapshotIdentifier: name }));
  await rds.send(new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier: name, AttributeName: 'restore', ValuesToAdd: values }));
  return { name, arn: created.DBSnapshot!.DBSnapshotArn! };
}

async function clusterSnapshotSharedWith(values: string[]): Promise<{ name: string; arn: string }> {
  const cluster = uniqueName('cluster');
  await rds.send(new CreateDBClusterCommand({ DBClusterIdentifier: cluster, Engine: 'aurora-postgresql', MasterUsername: 'admin1', MasterUserPassword: 'password123' }));
  const name = uniqueName('cluster-snap');
  const created = await rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: cluster, DBClusterSnapshotIdentifier: name }));
  await rds.send(new ModifyDBClusterSnapshotAttributeCommand({ DBClusterSnapshotIdentifier: name, AttributeName: 'restore', ValuesToAdd: values }));
  return { name, arn: created.DBClusterSnapshot!.DBClusterSnapshotArn! };
}

const dbShares = async (name: string) =>
  ((await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: name }))).DBSnapshotAttributesResult?.DBSnapshotAttributes ?? [])
    .find((a) => a.AttributeName === 'restore')
    ?.AttributeValues?.slice()
    .sort() ?? [];
const clusterShares = async (name: string) =>
  ((await rds.send(new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: name }))).DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes ?? [])
    .find((a) => a.AttributeName === 'restore')
    ?.AttributeValues?.slice()
    .sort() ?? [];

function context(arn: string, type: string): ControlContext {
  const base = controlContextFor(stack, arn, type);
  return { ...base, zone: { accountIds: [stack.accountId], organizationId: 'o-exampleorg', organizationAccountIds: [MEMBER] } };
}

async function apply(ctx: ControlContext) {
  const changeId = uniqueName('change');
  return { changeId, result: await applyChange({ controlId: CONTROL, ctx, store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' }) };
}

describe('rds-snapshot-unshare on the emulator', () => {
  it('DB snapshot: removes `all` and the outside account, keeps the member, and shares again on rollback', async () => {
    const snapshot = await dbSnapshotSharedWith([MEMBER, OUTSIDER, 'all']);
    const original = await dbShares(snapshot.name);
    expect(original).toEqual([MEMBER, OUTSIDER, 'all'].sort());
    const ctx = context(snapshot.arn, 'AWS::RDS::DBSnapshot');
    expect((await verifyChange(CONTROL, ctx)).resolved).toBe(false);

    const { changeId, result } = await apply(ctx);

    expect(result.status).toBe('REMEDIATED');
    expect(await dbShares(snapshot.name)).toEqual([MEMBER]);
    expect(await verifyChange(CONTROL, ctx)).toMatchObject({ resolved: true });
    // The runner's contract: after the write, the live state is the plan's `after` (up to JSON formatting).
    expect(parsedState(await getControl(CONTROL).snapshot(ctx))).toEqual(parsedState((await audit.getChange(changeId))!.after));
    await rollbackChange({ ctx, store: audit, changeId, actor: 'auto' });
    expect(await dbShares(snapshot.name)).toEqual(original);
  });

  it('DB cluster snapshot: removes the outside account only, and shares again on rollback', async () => {
    const snapshot = await clusterSnapshotSharedWith([MEMBER, OUTSIDER]);
    const original = await clusterShares(snapshot.name);
    const ctx = context(snapshot.arn, 'AWS::RDS::DBClusterSnapshot');
    const { changeId, result } = await apply(ctx);
    expect(result.status).toBe('REMEDIATED');
    expect(await clusterShares(snapshot.name)).toEqual([MEMBER]);
    await rollbackChange({ ctx, store: audit, changeId, actor: 'auto' });
    expect(await clusterShares(snapshot.name)).toEqual(original);
  });

  it('changes nothing on a snapshot shared only inside the zone', async () => {
    const snapshot = await dbSnapshotSharedWith([MEMBER]);
    const { result } = await apply(context(snapshot.arn, 'AWS::RDS::DBSnapshot'));
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(await dbShares(snapshot.name)).toEqual([MEMBER]);
  });
});
