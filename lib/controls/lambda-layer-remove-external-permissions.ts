/**
 * lambda-layer-remove-external-permissions — close a Lambda layer version
 * that accounts outside the zone of trust (or everyone) can use: every
 * statement of the layer-version policy that reaches outside the zone
 * (lib/policy, kind 'lambda') is removed with RemoveLayerVersionPermission by
 * its Sid; trusted statements stay untouched.
 *
 * Like a function policy, a layer-version policy is the sum of permission
 * requests, so rollback is SEMANTIC, not byte for byte: each removed
 * statement is re-added with AddLayerVersionPermission (Principal, Action,
 * OrganizationId from its aws:PrincipalOrgID condition) — the same statements
 * by Sid with the same principal, action and condition, possibly spelled
 * differently by the service. The plan refuses to remove a statement it could
 * not put back.
 */
import { AddLayerVersionPermissionCommand, GetLayerVersionPolicyCommand, LambdaClient, RemoveLayerVersionPermissionCommand } from '@aws-sdk/client-lambda';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { analyzePolicy } from '../policy';
import { externalStatementSids, grantOf, statementsOf, syncSteps, withoutStatements, type PermissionGrant } from './lambda-permission-statements';
import { proveSafeReplacement } from './proof';
import { findingArn } from './arn';
import type { ControlContext, ControlPlan, CorrectiveControl, VerifyOutcome } from './types';
import { controlFacts } from './catalog';

interface LayerVersionRef {
  /** The layer ARN without its version. */
  LayerName: string;
  VersionNumber: number;
}

/** The layer version the finding names (`…:layer:<name>:<version>`). */
export function layerVersionOf(ctx: ControlContext): LayerVersionRef {
  const { partition, region, accountId, resource } = findingArn(ctx, 'lambda');
  const match = /^layer:([\w-]{1,140}):(\d+)$/.exec(resource);
  if (!match) throw new ControlFailedError(`"${ctx.finding.resource.arn}" is not a Lambda layer version ARN`, { context: { resourceArn: ctx.finding.resource.arn } });
  return { LayerName: `arn:${partition}:lambda:${region}:${accountId}:layer:${match[1]}`, VersionNumber: Number(match[2]) };
}

async function call<T>(ctx: ControlContext, doing: string, send: (lambda: LambdaClient, layer: LayerVersionRef) => Promise<T>): Promise<T> {
  const layer = layerVersionOf(ctx);
  try {
    return await send(ctx.clients.get(LambdaClient), layer);
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

/** The layer-version policy as the service returns it; null when it has none. */
const readPolicy = (ctx: ControlContext): Promise<string | null> =>
  call(ctx, 'reading the layer-version policy of', async (lambda, layer) => {
    try {
      return (await lambda.send(new GetLayerVersionPolicyCommand(layer))).Policy ?? null;
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') return null;
      throw error;
    }
  });

/** A layer permission request can only name a principal, an action and an organization. */
function layerRequest(grant: PermissionGrant, resourceArn: string) {
  const { statementId, action, principal, principalOrgId, ...rest } = grant;
  const unsupported = Object.keys(rest);
  if (unsupported.length) throw new ControlFailedError(`permission ${statementId} of ${resourceArn} cannot be put back on a layer: ${unsupported.join(', ')}`, { context: { resourceArn } });
  return { StatementId: statementId, Action: action, Principal: principal, ...(principalOrgId ? { OrganizationId: principalOrgId } : {}) };
}

async function removePermission(ctx: ControlContext, StatementId: string): Promise<void> {
  await call(ctx, `removing permission ${StatementId} from`, (lambda, layer) => lambda.send(new RemoveLayerVersionPermissionCommand({ ...layer, StatementId })));
}

function exposure(ctx: ControlContext, policy: string | null): string | null {
  if (policy === null) return null;
  const analysis = analyzePolicy(policy, ctx.zone, { kind: 'lambda' });
  if (!analysis.exposed) return null;
  return analysis.isPublic ? 'the public' : `accounts ${analysis.externalAccounts.join(', ') || '(external principals)'}`;
}

export const lambdaLayerRemoveExternalPermissions: CorrectiveControl = {
  ...controlFacts('lambda-layer-remove-external-permissions'),

  async snapshot(ctx) {
    return { policy: await readPolicy(ctx) };
  },

  async plan(ctx): Promise<ControlPlan> {
    const arn = ctx.finding.resource.arn;
    const policy = await readPolicy(ctx);
    const before = { policy };
    const sids = externalStatementSids(policy, ctx.zone, arn);
    if (policy === null || !sids.length) {
      return { applicable: false, reason: 'the live layer-version policy grants no access outside the zone of trust', before, after: before, summary: `No change: ${arn} is not exposed any more.` };
    }
    // Refuse now what could not be put back later.
    for (const statement of statementsOf(policy).filter((s) => sids.includes(s.Sid ?? ''))) layerRequest(grantOf(statement, arn), arn);
    const after = withoutStatements(policy, sids);
    proveSafeReplacement({ before: policy, after, zone: ctx.zone, options: { kind: 'lambda' }, resourceArn: arn });
    return {
      applicable: true,
      reason: `the live layer-version policy grants ${exposure(ctx, policy)} use of the layer`,
      before,
      after: { policy: after },
      summary: `Close ${arn}: remove permission${sids.length > 1 ? 's' : ''} ${sids.join(', ')}.`,
    };
  },

  async write(ctx, plan) {
    // Remove exactly the planned statements (those still there); anything else in the live policy is left alone.
    const planned = new Set(statementsOf(plan.after.policy ?? null).map((s) => s.Sid));
    const removed = statementsOf(plan.before.policy ?? null).filter((s) => !planned.has(s.Sid)).map((s) => s.Sid ?? '');
    const live = new Set(statementsOf(await readPolicy(ctx)).map((s) => s.Sid));
    for (const sid of removed.filter((s) => live.has(s))) await removePermission(ctx, sid);
  },

  async verify(ctx): Promise<VerifyOutcome> {
    const policy = await readPolicy(ctx);
    const who = exposure(ctx, policy);
    return { resolved: who === null, reason: who === null ? 'no access outside the zone of trust' : `still usable by ${who}`, observed: { policy } };
  },

  async restore(ctx, before) {
    const steps = syncSteps(await readPolicy(ctx), before.policy ?? null, ctx.finding.resource.arn);
    const requests = steps.add.map((grant) => layerRequest(grant, ctx.finding.resource.arn));
    for (const sid of steps.remove) await removePermission(ctx, sid);
    for (const request of requests) {
      await call(ctx, `adding permission ${request.StatementId} to`, (lambda, layer) => lambda.send(new AddLayerVersionPermissionCommand({ ...layer, ...request })));
    }
  },
};
