/** ebs-snapshot-unshare against the emulator's EBS snapshots, through the runner. */
import { CreateSnapshotCommand, CreateVolumeCommand, DescribeSnapshotAttributeCommand, EC2Client, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2';
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
const ec2 = new EC2Client(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const parsedState = (state: Record<string, string | null>) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v === null ? null : JSON.parse(v)]));
const CONTROL = 'ebs-snapshot-unshare';
const MEMBER = '111111111111';
const OUTSIDER = '444455556666';

async function sharedSnapshot(users: string[], groups: string[]): Promise<{ id: string; arn: string }> {
  const volume = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${stack.region}a`, Size: 1 }));
  const snapshot = await ec2.send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId! }));
  const id = snapshot.SnapshotId!;
  await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: id, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: users, GroupNames: groups }));
  return { id, arn: `arn:aws:ec2:${stack.region}:${stack.accountId}:snapshot/${id}` };
}

async function sharesOf(id: string): Promise<string[]> {
  const result = await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: id, Attribute: 'createVolumePermission' }));
  return (result.CreateVolumePermissions ?? []).map((p) => p.Group ?? p.UserId!).sort();
}

/** The zone of trust: this account and its organization, of which MEMBER is a member. */
function context(arn: string): ControlContext {
  const base = controlContextFor(stack, arn, 'AWS::EC2::Snapshot');
  return { ...base, zone: { accountIds: [stack.accountId], organizationId: 'o-exampleorg', organizationAccountIds: [MEMBER] } };
}

async function apply(ctx: ControlContext) {
  const changeId = uniqueName('change');
  return { changeId, result: await applyChange({ controlId: CONTROL, ctx, store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' }) };
}

describe('ebs-snapshot-unshare on the emulator', () => {
  it('removes the public share and the outside account, keeps the member account, and shares again on rollback', async () => {
    const snapshot = await sharedSnapshot([MEMBER, OUTSIDER], ['all']);
    const original = await sharesOf(snapshot.id);
    expect(original).toEqual([MEMBER, OUTSIDER, 'all'].sort());
    const ctx = context(snapshot.arn);
    expect((await verifyChange(CONTROL, ctx)).resolved).toBe(false);

    const { changeId, result } = await apply(ctx);

    expect(result.status).toBe('REMEDIATED');
    expect(await sharesOf(snapshot.id)).toEqual([MEMBER]);
    expect(await verifyChange(CONTROL, ctx)).toMatchObject({ resolved: true });
    // The runner's contract: after the write, the live state is the plan's `after` (up to JSON formatting).
    expect(parsedState(await getControl(CONTROL).snapshot(ctx))).toEqual(parsedState((await audit.getChange(changeId))!.after));
    expect((await audit.getChange(changeId))?.before.sharedWith).toBe(JSON.stringify(original));

    await rollbackChange({ ctx, store: audit, changeId, actor: 'auto' });
    expect(await sharesOf(snapshot.id)).toEqual(original);
  });

  it('changes nothing on a snapshot shared only inside the zone', async () => {
    const snapshot = await sharedSnapshot([MEMBER], []);
    const { result } = await apply(context(snapshot.arn));
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(await sharesOf(snapshot.id)).toEqual([MEMBER]);
  });
});
