/**
 * efs-remove-external-statements when nothing trusted remains, with the AWS
 * calls mocked (aws-sdk-client-mock): moto 5.2.1 has no DeleteFileSystemPolicy.
 * The edit path runs against moto in test/emulator/efs-remove-external-statements.test.ts.
 * The mock is stateful (one stored policy text), so what the control writes is what it reads back.
 */
import { DeleteFileSystemPolicyCommand, DescribeFileSystemPolicyCommand, EFSClient, PutFileSystemPolicyCommand } from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import { getControl } from '../../../lib/controls/registry';
import type { ControlContext } from '../../../lib/controls/types';
import { finding as testFinding } from '../../support/finding';

const ACCOUNT = '123456789012';
const FS_ARN = `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/fs-0123456789abcdef0`;
const control = getControl('efs-remove-external-statements');
const efs = mockClient(EFSClient);
let stored: string | null;

const context = (arn = FS_ARN): ControlContext => ({
  finding: testFinding({
    id: 'f',
    source: 'access-analyzer',
    type: 'ExternalAccess',
    severity: 'HIGH',
    resource: { arn, type: 'AWS::EFS::FileSystem', accountId: ACCOUNT, region: 'us-east-1' },
    raw: { eventId: 'e', source: 'aws.access-analyzer' },
    exposure: null,
  }),
  zone: { accountIds: [ACCOUNT] },
  exemptPrincipalArns: [],
  clients: new AwsClients({ region: 'us-east-1' }),
});

const original = JSON.stringify(
  { Version: '2012-10-17', Statement: [{ Sid: 'Partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'elasticfilesystem:ClientMount', Resource: FS_ARN }] },
  null,
  2,
);

beforeEach(() => {
  efs.reset();
  stored = original;
  efs.on(DescribeFileSystemPolicyCommand).callsFake(async () => {
    if (stored === null) throw Object.assign(new Error('None'), { name: 'PolicyNotFound' });
    return { FileSystemId: 'fs-0123456789abcdef0', Policy: stored };
  });
  efs.on(PutFileSystemPolicyCommand).callsFake(async (input: { Policy: string }) => void (stored = input.Policy));
  efs.on(DeleteFileSystemPolicyCommand).callsFake(async () => void (stored = null));
});

describe('efs-remove-external-statements with nothing trusted left (mocked: moto lacks DeleteFileSystemPolicy)', () => {
  it('deletes the file system policy by its id and puts the exact text back', async () => {
    const ctx = context();
    const plan = await control.plan(ctx);
    expect(plan).toMatchObject({ applicable: true, before: { policy: original }, after: { policy: null } });

    await control.write(ctx, plan);
    expect(efs.commandCalls(DeleteFileSystemPolicyCommand).map((c) => c.args[0].input)).toEqual([{ FileSystemId: 'fs-0123456789abcdef0' }]);
    expect(efs.commandCalls(PutFileSystemPolicyCommand)).toHaveLength(0);
    expect(await control.snapshot(ctx)).toEqual({ policy: null });
    expect(await control.verify(ctx)).toMatchObject({ resolved: true });

    await control.restore(ctx, plan.before);
    expect(efs.commandCalls(PutFileSystemPolicyCommand).map((c) => c.args[0].input)).toEqual([{ FileSystemId: 'fs-0123456789abcdef0', Policy: original }]);
    expect(stored).toBe(original);
  });

  it('refuses an access point ARN before any call', async () => {
    await expect(control.plan(context(`arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:access-point/fsap-0123456789abcdef0`))).rejects.toMatchObject({ name: 'ControlFailedError' });
    expect(efs.calls()).toHaveLength(0);
  });
});
