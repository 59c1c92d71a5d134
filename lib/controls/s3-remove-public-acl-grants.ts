/**
 * s3-remove-public-acl-grants — remove the bucket ACL grants to the public
 * groups (AllUsers: anyone; AuthenticatedUsers: any AWS account), keep every
 * other grant and the owner. `before` is the exact ACL (owner and grants, as
 * S3 returns them, as JSON); restore writes it back with PutBucketAcl. S3
 * stores an ACL, not our text: the restored ACL is the same owner and grants
 * in the same order, which GetBucketAcl returns as the same JSON.
 */
import { PutBucketAclCommand, S3Client, type Grant, type Owner } from '@aws-sdk/client-s3';
import { toRemediatorError } from '../aws/errors';
import { ControlFailedError, UnsafeFixError } from '../errors';
import { analyzePolicy } from '../policy';
import { aclGrantsOf, bucketAnalyzeOptions, bucketOf, readBucketAcl, readBucketPolicy } from './s3-bucket';
import type { ControlContext, ControlPlan, CorrectiveControl, ResourceState, VerifyOutcome } from './types';
import { controlFacts } from './catalog';

export const PUBLIC_GROUPS = ['http://acs.amazonaws.com/groups/global/AllUsers', 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers'] as const;

interface Acl {
  Owner: Owner;
  Grants: Grant[];
}

const pick = <T extends object>(value: T | undefined, keys: readonly (keyof T)[]) =>
  Object.fromEntries(keys.filter((k) => value?.[k] !== undefined).map((k) => [k, value![k]]));

/** The ACL with its keys in one fixed order, so that the same ACL is always the same text. */
function canonicalAcl(acl: { Owner?: Owner; Grants?: Grant[] }): Acl {
  return {
    Owner: pick(acl.Owner, ['DisplayName', 'ID']) as Owner,
    Grants: (acl.Grants ?? []).map((g) => ({ Grantee: pick(g.Grantee, ['Type', 'ID', 'DisplayName', 'URI', 'EmailAddress']), Permission: g.Permission }) as unknown as Grant),
  };
}

const isPublic = (grant: Grant) => grant.Grantee?.Type === 'Group' && (PUBLIC_GROUPS as readonly string[]).includes(grant.Grantee.URI ?? '');

async function readAcl(ctx: ControlContext): Promise<Acl> {
  const acl = canonicalAcl(await readBucketAcl(ctx));
  if (!acl.Owner.ID) throw new ControlFailedError(`the ACL of ${ctx.finding.resource.arn} names no owner`, { context: { resourceArn: ctx.finding.resource.arn } });
  return acl;
}

async function putAcl(ctx: ControlContext, text: string, doing: string): Promise<void> {
  const acl = JSON.parse(text) as Acl;
  try {
    await ctx.clients.get(S3Client).send(new PutBucketAclCommand({ Bucket: bucketOf(ctx), AccessControlPolicy: { Owner: acl.Owner, Grants: acl.Grants } }));
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const s3RemovePublicAclGrants: CorrectiveControl = {
  ...controlFacts('s3-remove-public-acl-grants'),

  async snapshot(ctx): Promise<ResourceState> {
    return { acl: JSON.stringify(await readAcl(ctx)) };
  },

  async plan(ctx): Promise<ControlPlan> {
    const acl = await readAcl(ctx);
    const before = { acl: JSON.stringify(acl) };
    const removed = acl.Grants.filter(isPublic);
    const bucketArn = ctx.finding.resource.arn;
    if (removed.length === 0) {
      return { applicable: false, reason: 'the bucket ACL grants nothing to AllUsers or AuthenticatedUsers', before, after: before, summary: `No change: the ACL of ${bucketArn} is not public.` };
    }
    const fixed: Acl = { Owner: acl.Owner, Grants: acl.Grants.filter((g) => !isPublic(g)) };
    // Proof before write: the new ACL only drops grants, and none that is left is public.
    const left = analyzePolicy(null, ctx.zone, { kind: 's3', s3: { aclGrants: aclGrantsOf(fixed), ownerCanonicalId: acl.Owner.ID } });
    if (left.isPublic || fixed.Grants.some((g) => !acl.Grants.some((o) => JSON.stringify(o) === JSON.stringify(g)))) {
      throw new UnsafeFixError(`the ACL planned for ${bucketArn} still grants public access or adds a grant`, { context: { resourceArn: bucketArn } });
    }
    const described = removed.map((g) => `${g.Permission} to ${g.Grantee?.URI?.split('/').pop()}`);
    return {
      applicable: true,
      reason: `the bucket ACL grants ${described.join(', ')}`,
      before,
      after: { acl: JSON.stringify(fixed) },
      summary: `Remove the public ACL grants of ${bucketArn}: ${described.join(', ')} (owner and ${fixed.Grants.length} other grant(s) kept).`,
    };
  },

  async write(ctx, plan) {
    const text = plan.after.acl;
    if (!text) throw new ControlFailedError(`the plan for ${ctx.finding.resource.arn} has no ACL to write`);
    await putAcl(ctx, text, 'writing the ACL of');
  },

  async verify(ctx): Promise<VerifyOutcome> {
    const [acl, policy] = await Promise.all([readAcl(ctx), readBucketPolicy(ctx)]);
    const analysis = analyzePolicy(policy, ctx.zone, await bucketAnalyzeOptions(ctx));
    const publicGrants = acl.Grants.filter(isPublic).length;
    const reasons = [
      ...(publicGrants ? [`${publicGrants} public ACL grant(s) left`] : []),
      ...(analysis.exposed ? [`still reachable by ${analysis.isPublic ? 'the public' : analysis.externalAccounts.join(', ') || 'external principals'}`] : []),
    ];
    return { resolved: reasons.length === 0, reason: reasons.join('; ') || 'no public ACL grant, nothing outside the zone of trust', observed: { acl: JSON.stringify(acl) } };
  },

  async restore(ctx, before) {
    const text = before.acl;
    if (!text) throw new ControlFailedError(`no saved ACL for ${ctx.finding.resource.arn}: a bucket always has one`);
    await putAcl(ctx, text, 'restoring the ACL of');
  },
};
