/**
 * efs-remove-external-statements — the minimal fix for an EFS file system
 * whose file system policy grants access outside the zone of trust: remove
 * (or narrow) only the offending principals and statements (lib/policy
 * buildMinimalFix with the generic kind: lib/policy has no EFS kind yet),
 * proven before the write; delete the policy when nothing trusted remains
 * (EFS then falls back to its default policy: any client that can reach a
 * mount target, i.e. network access inside the VPC). The prior policy is saved
 * byte for byte and put back as it was. PutFileSystemPolicy keeps EFS's lockout check on.
 */
import { DeleteFileSystemPolicyCommand, DescribeFileSystemPolicyCommand, EFSClient, PutFileSystemPolicyCommand } from '@aws-sdk/client-efs';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { removeExternalStatementsControl } from './remove-external-statements';
import { findingArn } from './arn';
import type { ControlContext, CorrectiveControl } from './types';
import { controlFacts } from './catalog';

/** The FileSystemId the finding names (`arn:…:elasticfilesystem:<region>:<account>:file-system/fs-…`). */
export function fileSystemIdOf(ctx: ControlContext): string {
  const { resource } = findingArn(ctx, 'elasticfilesystem');
  const match = /^file-system\/(fs-[0-9a-f]+)$/.exec(resource);
  if (!match) throw new ControlFailedError(`"${ctx.finding.resource.arn}" is not an EFS file system ARN`, { context: { resourceArn: ctx.finding.resource.arn } });
  return match[1]!;
}

async function call<T>(ctx: ControlContext, doing: string, send: (efs: EFSClient, FileSystemId: string) => Promise<T>): Promise<T> {
  const FileSystemId = fileSystemIdOf(ctx);
  try {
    return await send(ctx.clients.get(EFSClient), FileSystemId);
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const efsRemoveExternalStatements: CorrectiveControl = removeExternalStatementsControl({
  facts: controlFacts('efs-remove-external-statements'),
  noun: 'file system policy',
  kind: 'generic',
  access: {
    read: (ctx) =>
      call(ctx, 'reading the file system policy of', async (efs, FileSystemId) => {
        try {
          return (await efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId }))).Policy ?? null;
        } catch (error) {
          if (awsErrorName(error) === 'PolicyNotFound') return null;
          throw error;
        }
      }),
    write: (ctx, Policy) =>
      call(ctx, 'writing the file system policy of', async (efs, FileSystemId) => {
        await efs.send(new PutFileSystemPolicyCommand({ FileSystemId, Policy }));
      }),
    remove: (ctx) =>
      call(ctx, 'deleting the file system policy of', async (efs, FileSystemId) => {
        await efs.send(new DeleteFileSystemPolicyCommand({ FileSystemId }));
      }),
  },
});
