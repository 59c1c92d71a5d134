/**
 * kms-remove-external-statements — the minimal fix for a KMS key whose key
 * policy grants access outside the zone of trust: remove (or narrow) only the
 * offending principals and statements, keep everything trusted, Sids and order
 * (lib/policy buildMinimalFix, re-analysed before it is returned). Deny-all is
 * wrong for a key: it would break every workload that encrypts with it.
 * The prior key policy is saved byte for byte before it is replaced.
 */
import { GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { clientConfig } from '../aws/clients';
import { toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { analyzePolicy, buildMinimalFix } from '../policy';
import type { ControlContext, ControlPlan, CorrectiveControl, ResourceState, VerifyOutcome } from './types';

let client: KMSClient | undefined;
const kms = (): KMSClient => (client ??= new KMSClient(clientConfig()));

export function keyIdFromArn(arn: string): string {
  if (!/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/.test(arn)) {
    throw new ControlFailedError(`"${arn}" is not a KMS key ARN`, { context: { resourceArn: arn } });
  }
  return arn;
}

async function readKeyPolicy(ctx: ControlContext): Promise<string> {
  try {
    const result = await kms().send(new GetKeyPolicyCommand({ KeyId: keyIdFromArn(ctx.finding.resource.arn), PolicyName: 'default' }));
    if (!result.Policy) throw new ControlFailedError(`key ${ctx.finding.resource.arn} returned no key policy`);
    return result.Policy;
  } catch (error) {
    throw toRemediatorError(error, `reading the key policy of ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

async function putKeyPolicy(ctx: ControlContext, policy: string, doing: string): Promise<void> {
  try {
    // The lockout safety check stays on: KMS refuses a policy that would lock the caller out.
    await kms().send(new PutKeyPolicyCommand({ KeyId: keyIdFromArn(ctx.finding.resource.arn), PolicyName: 'default', Policy: policy }));
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const kmsRemoveExternalStatements: CorrectiveControl = {
  id: 'kms-remove-external-statements',
  description: 'Remove only the principals and statements of a KMS key policy that reach outside the zone of trust; keep the rest as it is.',
  handles: { resourceTypes: ['AWS::KMS::Key'] },
  permissions: ['kms:GetKeyPolicy', 'kms:PutKeyPolicy'],

  async snapshot(ctx: ControlContext): Promise<ResourceState> {
    return { policy: await readKeyPolicy(ctx) };
  },

  async plan(ctx: ControlContext): Promise<ControlPlan> {
    const policy = await readKeyPolicy(ctx);
    const before = { policy };
    const analysis = analyzePolicy(policy, ctx.zone, { kind: 'kms' });
    if (!analysis.exposed) {
      return { applicable: false, reason: 'the live key policy grants no access outside the zone of trust', before, after: before, summary: `No change: ${ctx.finding.resource.arn} is not exposed any more.` };
    }
    const fix = buildMinimalFix(policy, ctx.zone, { kind: 'kms' });
    if (!fix.policy) throw new ControlFailedError(`no key policy would be left for ${ctx.finding.resource.arn}`);
    const who = analysis.isPublic ? 'the public' : `accounts ${analysis.externalAccounts.join(', ') || '(external principals)'}`;
    return {
      applicable: true,
      reason: `the live key policy grants access to ${who}`,
      before,
      after: { policy: JSON.stringify(fix.policy) },
      summary: `Edit the key policy of ${ctx.finding.resource.arn}: ${fix.changes.join('; ')}.`,
    };
  },

  async write(ctx: ControlContext, plan: ControlPlan): Promise<void> {
    if (!plan.after.policy) throw new ControlFailedError('the plan has no key policy to write');
    await putKeyPolicy(ctx, plan.after.policy, 'writing the narrowed key policy of');
  },

  async verify(ctx: ControlContext): Promise<VerifyOutcome> {
    const policy = await readKeyPolicy(ctx);
    const analysis = analyzePolicy(policy, ctx.zone, { kind: 'kms' });
    return {
      resolved: !analysis.exposed,
      reason: analysis.exposed ? `still reachable by ${analysis.isPublic ? 'the public' : analysis.externalAccounts.join(', ')}` : 'no access outside the zone of trust',
      observed: { policy },
    };
  },

  async restore(ctx: ControlContext, before: ResourceState): Promise<void> {
    if (!before.policy) throw new ControlFailedError(`no saved key policy for ${ctx.finding.resource.arn}: a key always has one`);
    await putKeyPolicy(ctx, before.policy, 'restoring the key policy of');
  },
};
