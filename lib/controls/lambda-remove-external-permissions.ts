/**
 * lambda-remove-external-permissions — close a Lambda function that others
 * outside the zone of trust can invoke or read:
 * - every statement of the function policy that reaches outside the zone
 *   (lib/policy, kind 'lambda') is removed with RemovePermission by its Sid;
 *   trusted statements stay untouched;
 * - a function URL with AuthType NONE is public too: it is switched to AWS_IAM.
 *
 * Lambda has no "put policy" call: the policy is the sum of AddPermission
 * requests. So rollback is SEMANTIC, not byte for byte: each removed statement
 * is re-added with AddPermission (Principal, Action, and SourceArn /
 * SourceAccount / PrincipalOrgID / FunctionUrlAuthType / EventSourceToken /
 * InvokedViaFunctionUrl from its Condition), giving the same statements by Sid
 * with the same principal, action and conditions; the service may spell them
 * differently (key order, an account id as its root ARN). The plan refuses to
 * remove a statement it could not put back. The URL's AuthType is restored as it was.
 */
import {
  AddPermissionCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  RemovePermissionCommand,
  UpdateFunctionUrlConfigCommand,
  type FunctionUrlAuthType,
} from '@aws-sdk/client-lambda';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { analyzePolicy } from '../policy';
import { externalStatementSids, grantOf, statementsOf, syncSteps, withoutStatements } from './lambda-permission-statements';
import { proveSafeReplacement } from './proof';
import { findingArn } from './arn';
import type { ControlContext, ControlPlan, CorrectiveControl, ResourceState, VerifyOutcome } from './types';
import { controlFacts } from './catalog';

interface FunctionRef {
  /** The unqualified function ARN. */
  FunctionName: string;
  Qualifier?: string;
}

/** The function (and version or alias) the finding names. */
export function functionRefOf(ctx: ControlContext): FunctionRef {
  const { partition, region, accountId, resource } = findingArn(ctx, 'lambda');
  const match = /^function:([\w-]{1,64})(?::([\w$-]+))?$/.exec(resource);
  if (!match) throw new ControlFailedError(`"${ctx.finding.resource.arn}" is not a Lambda function ARN`, { context: { resourceArn: ctx.finding.resource.arn } });
  const FunctionName = `arn:${partition}:lambda:${region}:${accountId}:function:${match[1]}`;
  return match[2] ? { FunctionName, Qualifier: match[2] } : { FunctionName };
}

async function call<T>(ctx: ControlContext, doing: string, send: (lambda: LambdaClient, fn: FunctionRef) => Promise<T>): Promise<T> {
  const fn = functionRefOf(ctx);
  try {
    return await send(ctx.clients.get(LambdaClient), fn);
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

const absentAsNull = (error: unknown): null => {
  if (awsErrorName(error) === 'ResourceNotFoundException') return null;
  throw error;
};

/** The function policy as the service returns it; null when it has none. */
const readPolicy = (ctx: ControlContext) =>
  call(ctx, 'reading the function policy of', (lambda, fn) => lambda.send(new GetPolicyCommand(fn)).then((r) => r.Policy ?? null, absentAsNull));

/** The AuthType of the function URL; null when the function has no URL. */
const readUrlAuthType = (ctx: ControlContext) =>
  call(ctx, 'reading the function URL of', (lambda, fn) => lambda.send(new GetFunctionUrlConfigCommand(fn)).then((r) => r.AuthType ?? null, absentAsNull));

async function readState(ctx: ControlContext): Promise<ResourceState> {
  const [policy, functionUrlAuthType] = await Promise.all([readPolicy(ctx), readUrlAuthType(ctx)]);
  return { policy, functionUrlAuthType };
}

/** Make the live permissions equal `target`, statement by statement (removals first): what a restore does. */
async function syncPermissions(ctx: ControlContext, target: string | null): Promise<void> {
  const steps = syncSteps(await readPolicy(ctx), target, ctx.finding.resource.arn);
  for (const StatementId of steps.remove) {
    await call(ctx, `removing permission ${StatementId} from`, (lambda, fn) => lambda.send(new RemovePermissionCommand({ ...fn, StatementId })));
  }
  for (const grant of steps.add) {
    await call(ctx, `adding permission ${grant.statementId} to`, (lambda, fn) =>
      lambda.send(
        new AddPermissionCommand({
          ...fn,
          StatementId: grant.statementId,
          Action: grant.action,
          Principal: grant.principal,
          SourceArn: grant.sourceArn,
          SourceAccount: grant.sourceAccount,
          PrincipalOrgID: grant.principalOrgId,
          FunctionUrlAuthType: grant.functionUrlAuthType as FunctionUrlAuthType | undefined,
          EventSourceToken: grant.eventSourceToken,
          InvokedViaFunctionUrl: grant.invokedViaFunctionUrl,
        }),
      ),
    );
  }
}

async function setUrlAuthType(ctx: ControlContext, target: string | null): Promise<void> {
  if (target === null || (await readUrlAuthType(ctx)) === target) return;
  await call(ctx, `setting the function URL AuthType to ${target} on`, (lambda, fn) => lambda.send(new UpdateFunctionUrlConfigCommand({ ...fn, AuthType: target as FunctionUrlAuthType })));
}

function describeExposure(ctx: ControlContext, policy: string | null): string[] {
  if (policy === null) return [];
  const analysis = analyzePolicy(policy, ctx.zone, { kind: 'lambda' });
  if (!analysis.exposed) return [];
  return [analysis.isPublic ? 'the function policy grants the public' : `the function policy grants accounts ${analysis.externalAccounts.join(', ') || '(external principals)'}`];
}

export const lambdaRemoveExternalPermissions: CorrectiveControl = {
  ...controlFacts('lambda-remove-external-permissions'),

  snapshot: readState,

  async plan(ctx): Promise<ControlPlan> {
    const arn = ctx.finding.resource.arn;
    const before = await readState(ctx);
    const policy = before.policy ?? null;
    const sids = externalStatementSids(policy, ctx.zone, arn);
    const publicUrl = before.functionUrlAuthType === 'NONE';
    if (!sids.length && !publicUrl) {
      return { applicable: false, reason: 'the live function policy and function URL grant no access outside the zone of trust', before, after: before, summary: `No change: ${arn} is not exposed any more.` };
    }
    // Refuse now what could not be put back later.
    for (const statement of statementsOf(policy).filter((s) => sids.includes(s.Sid ?? ''))) grantOf(statement, arn);
    const afterPolicy = policy === null || !sids.length ? policy : withoutStatements(policy, sids);
    proveSafeReplacement({ before: policy, after: afterPolicy, zone: ctx.zone, options: { kind: 'lambda' }, resourceArn: arn });
    const after: ResourceState = { policy: afterPolicy, functionUrlAuthType: publicUrl ? 'AWS_IAM' : (before.functionUrlAuthType ?? null) };
    const changes = [...(sids.length ? [`remove permission${sids.length > 1 ? 's' : ''} ${sids.join(', ')}`] : []), ...(publicUrl ? ['switch the function URL from AuthType NONE to AWS_IAM'] : [])];
    return {
      applicable: true,
      reason: [...describeExposure(ctx, policy), ...(publicUrl ? ['the function URL needs no authentication (AuthType NONE)'] : [])].join('; '),
      before,
      after,
      summary: `Close ${arn}: ${changes.join('; ')}.`,
    };
  },

  async write(ctx, plan) {
    // Remove exactly the planned statements (those still there); anything else in the live policy is left alone.
    const planned = new Set(statementsOf(plan.after.policy ?? null).map((s) => s.Sid));
    const removed = statementsOf(plan.before.policy ?? null).filter((s) => !planned.has(s.Sid)).map((s) => s.Sid ?? '');
    const live = new Set(statementsOf(await readPolicy(ctx)).map((s) => s.Sid));
    for (const StatementId of removed.filter((sid) => live.has(sid))) {
      await call(ctx, `removing permission ${StatementId} from`, (lambda, fn) => lambda.send(new RemovePermissionCommand({ ...fn, StatementId })));
    }
    await setUrlAuthType(ctx, plan.after.functionUrlAuthType ?? null);
  },

  async verify(ctx): Promise<VerifyOutcome> {
    const observed = await readState(ctx);
    const problems = [...describeExposure(ctx, observed.policy ?? null), ...(observed.functionUrlAuthType === 'NONE' ? ['the function URL needs no authentication'] : [])];
    return { resolved: !problems.length, reason: problems.length ? `still exposed: ${problems.join('; ')}` : 'no access outside the zone of trust', observed };
  },

  async restore(ctx, before) {
    await syncPermissions(ctx, before.policy ?? null);
    await setUrlAuthType(ctx, before.functionUrlAuthType ?? null);
  },
};
