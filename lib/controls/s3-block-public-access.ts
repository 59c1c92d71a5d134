/**
 * s3-block-public-access — turn on the four bucket-level Block Public Access
 * settings (BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy,
 * RestrictPublicBuckets). It closes public access through the policy and the
 * ACL without editing either; access granted to named external accounts stays
 * (verify says so). `before` is the exact prior configuration (JSON, keys in
 * S3's order) or null when the bucket had none; restore puts it back or deletes it.
 * Account-level Block Public Access (S3 Control) is not touched.
 */
import { DeletePublicAccessBlockCommand, PutPublicAccessBlockCommand, S3Client, type PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import { toRemediatorError } from '../aws/errors';
import { analyzePolicy } from '../policy';
import { bucketAnalyzeOptions, bucketOf, readBucketPolicy, readPublicAccessBlock } from './s3-bucket';
import type { ControlContext, ControlPlan, CorrectiveControl, ResourceState, VerifyOutcome } from './types';
import { controlFacts } from './catalog';

const SETTINGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

const ALL_ON: Required<PublicAccessBlockConfiguration> = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

/** The configuration as JSON with the settings in S3's order (only those S3 returned), so that equal states compare equal. */
export function publicAccessBlockText(configuration: PublicAccessBlockConfiguration | null): string | null {
  if (configuration === null) return null;
  return JSON.stringify(Object.fromEntries(SETTINGS.filter((k) => configuration[k] !== undefined).map((k) => [k, configuration[k]])));
}

const off = (configuration: PublicAccessBlockConfiguration | null) => SETTINGS.filter((k) => configuration?.[k] !== true);

async function state(ctx: ControlContext): Promise<ResourceState> {
  return { publicAccessBlock: publicAccessBlockText(await readPublicAccessBlock(ctx)) };
}

async function put(ctx: ControlContext, configuration: PublicAccessBlockConfiguration | null, doing: string): Promise<void> {
  const s3 = ctx.clients.get(S3Client);
  const Bucket = bucketOf(ctx);
  try {
    if (configuration === null) await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
    else await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: configuration }));
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const s3BlockPublicAccess: CorrectiveControl = {
  ...controlFacts('s3-block-public-access'),

  snapshot: state,

  async plan(ctx): Promise<ControlPlan> {
    const before = await state(ctx);
    const current = before.publicAccessBlock ? (JSON.parse(before.publicAccessBlock) as PublicAccessBlockConfiguration) : null;
    const missing = off(current);
    const bucketArn = ctx.finding.resource.arn;
    if (missing.length === 0) {
      return { applicable: false, reason: 'all four Block Public Access settings are already on', before, after: before, summary: `No change: ${bucketArn} already blocks public access.` };
    }
    return {
      applicable: true,
      reason: `Block Public Access ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} off`,
      before,
      after: { publicAccessBlock: publicAccessBlockText(ALL_ON) },
      summary: `Turn on ${missing.join(', ')} of ${bucketArn} (Block Public Access; policy and ACL unchanged).`,
    };
  },

  async write(ctx, plan) {
    const after = plan.after.publicAccessBlock ?? null;
    await put(ctx, after === null ? null : (JSON.parse(after) as PublicAccessBlockConfiguration), 'turning on Block Public Access of');
  },

  async verify(ctx): Promise<VerifyOutcome> {
    const publicAccessBlock = await readPublicAccessBlock(ctx);
    const analysis = analyzePolicy(await readBucketPolicy(ctx), ctx.zone, await bucketAnalyzeOptions(ctx, { publicAccessBlock }));
    const missing = off(publicAccessBlock);
    const reasons = [
      ...(missing.length ? [`Block Public Access ${missing.join(', ')} off`] : []),
      ...(analysis.exposed ? [`still reachable by ${analysis.isPublic ? 'the public' : analysis.externalAccounts.join(', ') || 'external principals'}`] : []),
    ];
    return {
      resolved: reasons.length === 0,
      reason: reasons.join('; ') || 'Block Public Access is on and nothing outside the zone of trust can reach the bucket',
      observed: { publicAccessBlock: publicAccessBlockText(publicAccessBlock) },
    };
  },

  async restore(ctx, before) {
    const text = before.publicAccessBlock ?? null;
    await put(ctx, text === null ? null : (JSON.parse(text) as PublicAccessBlockConfiguration), 'restoring Block Public Access of');
  },
};
