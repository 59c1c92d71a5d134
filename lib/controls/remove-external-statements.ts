/**
 * The reusable fix behind every `<service>-remove-external-statements` control:
 * read the resource policy, let lib/policy build the minimal fix (remove or
 * narrow only what reaches outside the zone of trust), prove it before the
 * write (lib/controls/proof.ts), write it, re-read to verify, and put the exact
 * text back on rollback. A control entry only says how to read, write and
 * delete one kind of resource policy (two-tier catalog: entry → reusable fix).
 */
import { ControlFailedError } from '../errors';
import { analyzePolicy, buildMinimalFix, type AnalyzeOptions, type ResourceKind } from '../policy';
import { ACCESS_ANALYZER_CHECK_PERMISSIONS, checkNoNewAccess, checkNoPublicAccess } from '../verify/access-analyzer-checks';
import type { ControlFacts } from './catalog';
import { proveSafeReplacement } from './proof';
import type { ControlContext, ControlPlan, CorrectiveControl, ResourceState, VerifyOutcome } from './types';

/** How to reach one kind of resource policy. */
export interface PolicyAccess {
  /** The policy text exactly as the service returns it; null when the resource has none. */
  read(ctx: ControlContext): Promise<string | null>;
  write(ctx: ControlContext, policy: string): Promise<void>;
  /** Delete the policy; absent when the resource must always have one (a KMS key). */
  remove?(ctx: ControlContext): Promise<void>;
}

export interface RemoveExternalStatementsSpec {
  /** The control's entry in lib/controls/catalog.ts; its permissions include ACCESS_ANALYZER_CHECK_PERMISSIONS, which plan may call. */
  facts: ControlFacts;
  /** What people call the policy ("key policy", "queue policy"). */
  noun: string;
  kind: ResourceKind;
  access: PolicyAccess;
  /** Extra analysis input (S3 Block Public Access and ACLs). */
  analyzeOptions?: (ctx: ControlContext) => Promise<AnalyzeOptions>;
}

export function removeExternalStatementsControl(spec: RemoveExternalStatementsSpec): CorrectiveControl {
  const undeclared = ACCESS_ANALYZER_CHECK_PERMISSIONS.filter((action) => !spec.facts.permissions.includes(action));
  if (undeclared.length) {
    // A catalog mistake, found when the registry loads (every test that imports it fails), never at run time.
    throw new Error(`control ${spec.facts.id} asks Access Analyzer before it writes: its catalog entry must declare ${undeclared.join(', ')}`);
  }
  const options = async (ctx: ControlContext): Promise<AnalyzeOptions> => ({ kind: spec.kind, ...(spec.analyzeOptions ? await spec.analyzeOptions(ctx) : {}) });
  const arn = (ctx: ControlContext) => ctx.finding.resource.arn;

  return {
    // Its permissions include the Access Analyzer checks that plan asks for when deployed with accessAnalyzerChecks.
    ...spec.facts,

    async snapshot(ctx) {
      return { policy: await spec.access.read(ctx) };
    },

    async plan(ctx): Promise<ControlPlan> {
      const policy = await spec.access.read(ctx);
      const before: ResourceState = { policy };
      const analyzeWith = await options(ctx);
      const analysis = analyzePolicy(policy, ctx.zone, analyzeWith);
      // Only what the policy grants is this control's to fix (an S3 ACL grant is reported, and left to its own control).
      const elsewhere = analysis.findings.filter((f) => f.source !== 'policy');
      if (policy === null || !analysis.findings.some((f) => f.source === 'policy')) {
        const reason = `the live ${spec.noun} grants no access outside the zone of trust${elsewhere.length ? `; still exposed outside it: ${elsewhere.map((f) => f.reason).join('; ')}` : ''}`;
        return { applicable: false, reason, before, after: before, summary: `No change to the ${spec.noun}: ${arn(ctx)} is not exposed by it.` };
      }
      const fix = buildMinimalFix(policy, ctx.zone, analyzeWith);
      if (!fix.policy && !spec.access.remove) {
        throw new ControlFailedError(`removing the external statements would leave ${arn(ctx)} without a ${spec.noun}, which it must have`, { context: { resourceArn: arn(ctx) } });
      }
      const after = fix.policy ? JSON.stringify(fix.policy) : null;
      proveSafeReplacement({ before: policy, after, zone: ctx.zone, options: policyScope(analyzeWith), resourceArn: arn(ctx) });
      if (ctx.accessAnalyzerChecks && after !== null) {
        await checkNoPublicAccess(ctx.clients, after, ctx.finding.resource.type);
        await checkNoNewAccess(ctx.clients, after, policy, 'RESOURCE_POLICY', ctx.finding.resource.type);
      }
      const who = analysis.isPublic ? 'the public' : `accounts ${analysis.externalAccounts.join(', ') || '(external principals)'}`;
      return {
        applicable: true,
        reason: `the live ${spec.noun} grants access to ${who}`,
        before,
        after: { policy: after },
        summary: after === null ? `Delete the ${spec.noun} of ${arn(ctx)}: every statement reaches outside the zone of trust.` : `Edit the ${spec.noun} of ${arn(ctx)}: ${fix.changes.join('; ')}.`,
      };
    },

    async write(ctx, plan) {
      const policy = plan.after.policy ?? null;
      if (policy === null) {
        if (!spec.access.remove) throw new ControlFailedError(`the plan deletes the ${spec.noun} of ${arn(ctx)}, which it must have`);
        await spec.access.remove(ctx);
      } else {
        await spec.access.write(ctx, policy);
      }
    },

    async verify(ctx): Promise<VerifyOutcome> {
      const policy = await spec.access.read(ctx);
      const analysis = analyzePolicy(policy, ctx.zone, await options(ctx));
      return {
        resolved: !analysis.exposed,
        reason: analysis.exposed ? `still reachable by ${analysis.isPublic ? 'the public' : analysis.externalAccounts.join(', ')}` : 'no access outside the zone of trust',
        observed: { policy },
      };
    },

    async restore(ctx, before) {
      const policy = before.policy ?? null;
      if (policy !== null) return spec.access.write(ctx, policy);
      if (!spec.access.remove) throw new ControlFailedError(`no saved ${spec.noun} for ${arn(ctx)}: it always has one`);
      return spec.access.remove(ctx);
    },
  };
}

/** The proof is about the policy being written: grants outside it (S3 ACL grants) are not its to close. */
function policyScope(options: AnalyzeOptions): AnalyzeOptions {
  return options.s3 ? { ...options, s3: { ...options.s3, aclGrants: [] } } : options;
}
