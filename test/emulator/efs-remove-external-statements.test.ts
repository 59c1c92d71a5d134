/**
 * The EFS minimal-fix control against the emulator's EFS, through the runner.
 * moto 5.2.1 has DescribeFileSystemPolicy and PutFileSystemPolicy but no
 * DeleteFileSystemPolicy: the path that deletes the policy (nothing trusted left)
 * is covered with aws-sdk-client-mock in test/unit/controls/efs-remove-external-statements.test.ts.
 */
import { CreateFileSystemCommand, DescribeFileSystemPolicyCommand, EFSClient, PutFileSystemPolicyCommand } from '@aws-sdk/client-efs';
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../lib/aws/clients';
import { awsErrorName } from '../../lib/aws/errors';
import { AuditStore } from '../../lib/audit/store';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const efs = new EFSClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 'efs-remove-external-statements';
const EXTERNAL = '444455556666';

async function fileSystemWith(policy: ((arn: string) => string) | null): Promise<{ arn: string; id: string; policy: string | null }> {
  const created = await efs.send(new CreateFileSystemCommand({ CreationToken: uniqueName('remediator-test') }));
  const arn = created.FileSystemArn!;
  const text = policy ? policy(arn) : null;
  if (text !== null) await efs.send(new PutFileSystemPolicyCommand({ FileSystemId: created.FileSystemId!, Policy: text }));
  return { arn, id: created.FileSystemId!, policy: text };
}

async function policyOf(id: string): Promise<string | null> {
  try {
    return (await efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: id }))).Policy ?? null;
  } catch (error) {
    if (awsErrorName(error) === 'PolicyNotFound') return null;
    throw error;
  }
}

const context = (arn: string): ControlContext => controlContextFor(stack, arn, 'AWS::EFS::FileSystem');
const apply = (arn: string, changeId: string) => applyChange({ controlId: CONTROL, ctx: context(arn), store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' });
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Id: 'efs-policy', Statement: statements }, null, 2);
const appMounts = (arn: string) => ({ Sid: 'AppMounts', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stack.accountId}:role/app` }, Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'], Resource: arn });
const partnerMounts = (arn: string) => ({ Sid: 'PartnerMounts', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${EXTERNAL}:root` }, Action: 'elasticfilesystem:ClientMount', Resource: arn });

describe('efs-remove-external-statements on the emulator', () => {
  it('removes only the external statement, keeps the trusted one, and rolls back byte for byte', async () => {
    const fs = await fileSystemWith((arn) => policy(appMounts(arn), partnerMounts(arn)));
    expect((await verifyChange(CONTROL, context(fs.arn))).resolved).toBe(false);

    const changeId = uniqueName('change');
    const result = await apply(fs.arn, changeId);

    expect(result.status).toBe('REMEDIATED');
    const fixed = JSON.parse((await policyOf(fs.id))!);
    expect(fixed).toEqual({ Version: '2012-10-17', Id: 'efs-policy', Statement: [appMounts(fs.arn)] });
    expect(await verifyChange(CONTROL, context(fs.arn))).toMatchObject({ resolved: true });
    expect((await audit.getChange(changeId))?.before.policy).toBe(fs.policy);

    await rollbackChange({ ctx: context(fs.arn), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(fs.id)).toBe(fs.policy);
  });

  it('changes nothing on a file system without a policy or with a trusted one', async () => {
    for (const fs of [await fileSystemWith(null), await fileSystemWith((arn) => policy(appMounts(arn)))]) {
      expect((await apply(fs.arn, uniqueName('change'))).status).toBe('NOT_APPLICABLE');
      expect(await policyOf(fs.id)).toBe(fs.policy);
    }
  });
});
