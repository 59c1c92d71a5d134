/**
 * What the S3 bucket controls read of a bucket besides the one field they
 * change: its name (from the finding's ARN), Block Public Access, ACL and
 * policy, for lib/policy's analysis of the whole bucket (as s3-deny-all does).
 * Each value is exactly what S3 returns; `null` when the bucket has none.
 */
import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  S3Client,
  type GetBucketAclCommandOutput,
  type PublicAccessBlockConfiguration,
} from '@aws-sdk/client-s3';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import type { AnalyzeOptions, S3AclGrant } from '../policy';
import { findingArn } from './arn';
import type { ControlContext } from './types';

export function bucketOf(ctx: ControlContext): string {
  const { resource } = findingArn(ctx, 's3');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(resource)) {
    throw new ControlFailedError(`"${ctx.finding.resource.arn}" is not an S3 bucket ARN`, { context: { resourceArn: ctx.finding.resource.arn } });
  }
  return resource;
}

function absentAs<T>(names: readonly string[], value: T): (error: unknown) => T {
  return (error) => {
    if (names.includes(awsErrorName(error))) return value;
    throw error;
  };
}

function wrap(ctx: ControlContext, doing: string): (error: unknown) => never {
  return (error) => {
    throw toRemediatorError(error, `${doing} ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  };
}

export function readBucketPolicy(ctx: ControlContext): Promise<string | null> {
  return ctx.clients
    .get(S3Client)
    .send(new GetBucketPolicyCommand({ Bucket: bucketOf(ctx) }))
    .then((r) => r.Policy ?? null)
    .catch(absentAs(['NoSuchBucketPolicy'], null))
    .catch(wrap(ctx, 'reading the bucket policy of'));
}

export function readPublicAccessBlock(ctx: ControlContext): Promise<PublicAccessBlockConfiguration | null> {
  return ctx.clients
    .get(S3Client)
    .send(new GetPublicAccessBlockCommand({ Bucket: bucketOf(ctx) }))
    .then((r) => r.PublicAccessBlockConfiguration ?? null)
    .catch(absentAs(['NoSuchPublicAccessBlockConfiguration'], null))
    .catch(wrap(ctx, 'reading Block Public Access of'));
}

export function readBucketAcl(ctx: ControlContext): Promise<GetBucketAclCommandOutput> {
  return ctx.clients.get(S3Client).send(new GetBucketAclCommand({ Bucket: bucketOf(ctx) })).catch(wrap(ctx, 'reading the ACL of'));
}

export function aclGrantsOf(acl: Pick<GetBucketAclCommandOutput, 'Grants'>): S3AclGrant[] {
  return (acl.Grants ?? []).map((g) => ({
    granteeType: (g.Grantee?.Type ?? 'CanonicalUser') as S3AclGrant['granteeType'],
    granteeUri: g.Grantee?.URI,
    granteeId: g.Grantee?.ID ?? g.Grantee?.EmailAddress,
    permission: g.Permission ?? 'READ',
  }));
}

/** Block Public Access and the ACL, as lib/policy weighs them for a bucket. */
export async function bucketAnalyzeOptions(ctx: ControlContext, overrides: { publicAccessBlock?: PublicAccessBlockConfiguration | null } = {}): Promise<AnalyzeOptions> {
  const [publicAccessBlock, acl] = await Promise.all(['publicAccessBlock' in overrides ? overrides.publicAccessBlock ?? null : readPublicAccessBlock(ctx), readBucketAcl(ctx)]);
  return { kind: 's3', s3: { publicAccessBlock, aclGrants: aclGrantsOf(acl), ...(acl.Owner?.ID ? { ownerCanonicalId: acl.Owner.ID } : {}) } };
}
