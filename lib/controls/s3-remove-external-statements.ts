/**
 * s3-remove-external-statements — the minimal fix for a bucket policy that
 * grants access outside the zone of trust: remove (or narrow) only the
 * offending principals and statements, keep every trusted statement as it is
 * (lib/policy buildMinimalFix, proven before the write). Block Public Access
 * and the ACL are weighed as s3-deny-all-bucket-policy weighs them: a public
 * policy confined by RestrictPublicBuckets needs no change, and a public ACL
 * grant is reported but left to s3-remove-public-acl-grants. A policy with
 * nothing trusted left is deleted. The prior policy is saved byte for byte.
 */
import { DeleteBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { toRemediatorError } from '../aws/errors';
import { removeExternalStatementsControl } from './remove-external-statements';
import { bucketAnalyzeOptions, bucketOf, readBucketPolicy } from './s3-bucket';
import type { ControlContext, CorrectiveControl } from './types';
import { controlFacts } from './catalog';

async function send(ctx: ControlContext, doing: string, command: PutBucketPolicyCommand | DeleteBucketPolicyCommand): Promise<void> {
  try {
    await ctx.clients.get(S3Client).send(command as PutBucketPolicyCommand);
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const s3RemoveExternalStatements: CorrectiveControl = removeExternalStatementsControl({
  facts: controlFacts('s3-remove-external-statements'),
  noun: 'bucket policy',
  kind: 's3',
  access: {
    read: readBucketPolicy,
    write: (ctx, policy) => send(ctx, 'writing the bucket policy of', new PutBucketPolicyCommand({ Bucket: bucketOf(ctx), Policy: policy })),
    remove: (ctx) => send(ctx, 'deleting the bucket policy of', new DeleteBucketPolicyCommand({ Bucket: bucketOf(ctx) })),
  },
  analyzeOptions: (ctx) => bucketAnalyzeOptions(ctx),
});
