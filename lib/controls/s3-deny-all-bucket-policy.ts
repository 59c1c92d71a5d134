/**
 * s3-deny-all-bucket-policy — the classic corrective control for a bucket
 * that grants access outside the zone of trust: overwrite the bucket policy
 * with deny-all (exempting the remediation role and the break-glass roles of
 * the bucket's account — in a member account, its member role — so the account
 * keeps control and the change can be undone), and turn on
 * the bucket's Block Public Access. The prior policy and Block Public Access
 * configuration are saved byte for byte before anything is written.
 */
import {
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type PublicAccessBlockConfiguration,
} from '@aws-sdk/client-s3';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { analyzePolicy, buildDenyAllPolicy, type AnalyzeOptions, type S3AclGrant } from '../policy';
import { bucketOf } from './s3-bucket';
import type { ControlContext, ControlPlan, CorrectiveControl, ResourceState, VerifyOutcome } from './types';
import { controlFacts } from './catalog';

export const BLOCK_ALL: Required<PublicAccessBlockConfiguration> = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};


/** The live state of the bucket that this control reads and may change. */
interface BucketState {
  policy: string | null;
  publicAccessBlock: PublicAccessBlockConfiguration | null;
  aclGrants: S3AclGrant[];
}

async function readBucket(ctx: ControlContext, bucket: string): Promise<BucketState> {
  const s3 = ctx.clients.get(S3Client);
  const [policy, publicAccessBlock, aclGrants] = await Promise.all([
    s3
      .send(new GetBucketPolicyCommand({ Bucket: bucket }))
      .then((r) => r.Policy ?? null)
      .catch(absentAs(['NoSuchBucketPolicy'], null)),
    s3
      .send(new GetPublicAccessBlockCommand({ Bucket: bucket }))
      .then((r) => r.PublicAccessBlockConfiguration ?? null)
      .catch(absentAs(['NoSuchPublicAccessBlockConfiguration'], null)),
    s3
      .send(new GetBucketAclCommand({ Bucket: bucket }))
      .then((r) =>
        (r.Grants ?? []).map(
          (g): S3AclGrant => ({
            granteeType: (g.Grantee?.Type ?? 'CanonicalUser') as S3AclGrant['granteeType'],
            granteeUri: g.Grantee?.URI,
            granteeId: g.Grantee?.ID,
            permission: g.Permission ?? 'READ',
          }),
        ),
      ),
  ]).catch((error: unknown) => {
    throw toRemediatorError(error, `reading bucket ${bucket}`, { resourceArn: `arn:aws:s3:::${bucket}` });
  });
  return { policy, publicAccessBlock, aclGrants };
}

function absentAs<T>(names: string[], value: T): (error: unknown) => T {
  return (error) => {
    if (names.includes(awsErrorName(error))) return value;
    throw error;
  };
}

function analysisOptions(state: BucketState): AnalyzeOptions {
  return { kind: 's3', s3: { publicAccessBlock: state.publicAccessBlock, aclGrants: state.aclGrants } };
}

/**
 * The principals the deny-all exempts: those of the bucket's own account (in a member account,
 * its member role, which rolls the change back, and its break-glass roles). A deny-all grants
 * nothing, so exempting a principal of another account (the admin account's role, when the bucket
 * is a member's) would only name a principal that cannot undo the change: it is left out.
 */
export function exemptionsFor(ctx: ControlContext): string[] {
  const account = ctx.finding.resource.accountId;
  return ctx.exemptPrincipalArns.filter((arn) => arn.split(':')[4] === account);
}

function snapshot(state: BucketState): ResourceState {
  return {
    policy: state.policy,
    publicAccessBlock: state.publicAccessBlock ? JSON.stringify(state.publicAccessBlock) : null,
  };
}

export const s3DenyAllBucketPolicy: CorrectiveControl = {
  ...controlFacts('s3-deny-all-bucket-policy'),

  async snapshot(ctx: ControlContext): Promise<ResourceState> {
    return snapshot(await readBucket(ctx, bucketOf(ctx)));
  },

  async plan(ctx: ControlContext): Promise<ControlPlan> {
    const bucketArn = ctx.finding.resource.arn;
    const state = await readBucket(ctx, bucketOf(ctx));
    const analysis = analyzePolicy(state.policy, ctx.zone, analysisOptions(state));
    const before = snapshot(state);
    if (!analysis.exposed) {
      return {
        applicable: false,
        reason: 'the live bucket grants no access outside the zone of trust',
        before,
        after: before,
        summary: `No change: ${bucketArn} is not exposed any more.`,
      };
    }
    const exempt = exemptionsFor(ctx);
    const denyAll = buildDenyAllPolicy({
      kind: 's3',
      resourceArns: [bucketArn],
      exemptPrincipalArns: exempt,
      accountId: ctx.finding.resource.accountId,
    });
    const who = analysis.isPublic ? 'the public' : `accounts ${analysis.externalAccounts.join(', ')}`;
    return {
      applicable: true,
      reason: `the live bucket grants access to ${who}`,
      before,
      after: { policy: JSON.stringify(denyAll), publicAccessBlock: JSON.stringify(BLOCK_ALL) },
      summary: `Replace the bucket policy of ${bucketArn} with deny-all (exempt: ${exempt.join(', ') || 'none'}) and turn on Block Public Access.`,
    };
  },

  async write(ctx: ControlContext, plan: ControlPlan): Promise<void> {
    const bucket = bucketOf(ctx);
    try {
      await ctx.clients.get(S3Client).send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: plan.after.policy ?? undefined }));
      await ctx.clients.get(S3Client).send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: BLOCK_ALL }));
    } catch (error) {
      throw toRemediatorError(error, `writing deny-all to bucket ${bucket}`, { resourceArn: ctx.finding.resource.arn });
    }
  },

  async verify(ctx: ControlContext): Promise<VerifyOutcome> {
    const state = await readBucket(ctx, bucketOf(ctx));
    const analysis = analyzePolicy(state.policy, ctx.zone, analysisOptions(state));
    return {
      resolved: !analysis.exposed,
      reason: analysis.exposed
        ? `still reachable by ${analysis.isPublic ? 'the public' : analysis.externalAccounts.join(', ')}`
        : 'no access outside the zone of trust',
      observed: snapshot(state),
    };
  },

  /** Block Public Access first goes back to what it was, then the policy (a public policy cannot be put while BPA blocks it). */
  async restore(ctx: ControlContext, before: ResourceState): Promise<void> {
    const bucket = bucketOf(ctx);
    try {
      if (before.publicAccessBlock === null || before.publicAccessBlock === undefined) {
        await ctx.clients.get(S3Client).send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
      } else {
        const configuration = JSON.parse(before.publicAccessBlock) as PublicAccessBlockConfiguration;
        await ctx.clients.get(S3Client).send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: configuration }));
      }
      if (before.policy === null || before.policy === undefined) {
        await ctx.clients.get(S3Client).send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
      } else {
        await ctx.clients.get(S3Client).send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: before.policy }));
      }
    } catch (error) {
      throw toRemediatorError(error, `restoring bucket ${bucket}`, { resourceArn: ctx.finding.resource.arn });
    }
  },
};
