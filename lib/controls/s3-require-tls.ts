/**
 * s3-require-tls — for Config `s3-bucket-ssl-requests-only`: add the deny-insecure-transport
 * statement (Deny, Principal *, s3:*, the bucket and its objects, when aws:SecureTransport is
 * false) to the bucket policy, keeping every other statement as it is; create the policy when the
 * bucket has none. A Deny grants nothing: the proof before write (lib/controls/proof.ts) checks the
 * new policy adds no grant, and, when the bucket was not exposed before, that it exposes nothing.
 * `before` is the exact policy text (or null); rollback puts it back byte for byte or deletes the policy.
 */
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { ControlFailedError, UnsafeFixError } from '../errors';
import { analyzePolicy, type PolicyDocument, type PolicyStatement } from '../policy';
import { grantsAdded, proveSafeReplacement } from './proof';
import { resourceIdOf } from './resource-ids';
import type { ControlContext, ControlPlan, CorrectiveControl, VerifyOutcome } from './types';
import { controlFacts } from './catalog';

export const DENY_INSECURE_TRANSPORT_SID = 'DenyInsecureTransport';

const bucketNameOf = (ctx: ControlContext) =>
  resourceIdOf(ctx, { service: 's3', resource: /^([A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9])$/, what: 'an S3 bucket' });

export function denyInsecureTransportStatement(bucketArn: string, sid = DENY_INSECURE_TRANSPORT_SID): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function statementsOf(doc: PolicyDocument): PolicyStatement[] {
  return asList(doc.Statement as PolicyStatement | PolicyStatement[] | undefined);
}

/** Whether a statement denies everyone every S3 action on the bucket and its objects over plain HTTP. */
export function deniesInsecureTransport(statement: PolicyStatement, bucketArn: string): boolean {
  if (statement.Effect !== 'Deny' || statement.NotAction !== undefined || statement.NotResource !== undefined || statement.NotPrincipal !== undefined) return false;
  const principal = statement.Principal;
  const everyone = principal === '*' || (typeof principal === 'object' && asList(principal.AWS).includes('*'));
  const actions = asList(statement.Action);
  const allActions = actions.includes('*') || actions.includes('s3:*');
  const resources = asList(statement.Resource);
  const covers = (arn: string) => resources.includes('*') || resources.includes(arn);
  const conditions = statement.Condition ?? {};
  const insecure = asList(conditions.Bool?.['aws:SecureTransport']).map(String);
  const onlyThatCondition = Object.keys(conditions).length === 1 && Object.keys(conditions.Bool ?? {}).length === 1;
  return everyone && allActions && covers(bucketArn) && covers(`${bucketArn}/*`) && onlyThatCondition && insecure.length === 1 && insecure[0] === 'false';
}

export function requiresTls(policy: string | null, bucketArn: string): boolean {
  if (policy === null) return false;
  return statementsOf(JSON.parse(policy) as PolicyDocument).some((s) => deniesInsecureTransport(s, bucketArn));
}

/** The policy with the deny-insecure-transport statement appended (a fresh policy when there is none). */
export function withTlsRequired(policy: string | null, bucketArn: string): string {
  const doc: PolicyDocument = policy === null ? { Version: '2012-10-17', Statement: [] } : (JSON.parse(policy) as PolicyDocument);
  const statements = statementsOf(doc);
  const sids = new Set(statements.map((s) => s.Sid));
  let sid = DENY_INSECURE_TRANSPORT_SID;
  for (let n = 2; sids.has(sid); n += 1) sid = `${DENY_INSECURE_TRANSPORT_SID}${n}`;
  return JSON.stringify({ ...doc, Statement: [...statements, denyInsecureTransportStatement(bucketArn, sid)] });
}

async function readPolicy(ctx: ControlContext): Promise<string | null> {
  const bucket = bucketNameOf(ctx);
  try {
    const result = await ctx.clients.get(S3Client).send(new GetBucketPolicyCommand({ Bucket: bucket }));
    return result.Policy ?? null;
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchBucketPolicy') return null;
    throw toRemediatorError(error, `reading the bucket policy of ${bucket}`, { resourceArn: ctx.finding.resource.arn });
  }
}

async function putPolicy(ctx: ControlContext, policy: string | null, doing: string): Promise<void> {
  const bucket = bucketNameOf(ctx);
  try {
    const s3 = ctx.clients.get(S3Client);
    if (policy === null) await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    else await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${bucket}`, { resourceArn: ctx.finding.resource.arn });
  }
}

/**
 * Proof before write. The new policy must grant nothing the old one did not; when the old one
 * exposed nothing, the new one must expose nothing either. (A bucket that is already exposed is
 * another finding's business: adding a Deny cannot make it worse, and this control does not close it.)
 */
function prove(before: string | null, after: string, ctx: ControlContext): void {
  const options = { kind: 's3' as const };
  if (before === null || !analyzePolicy(before, ctx.zone, options).exposed) {
    proveSafeReplacement({ before, after, zone: ctx.zone, options, resourceArn: ctx.finding.resource.arn });
    return;
  }
  const added = grantsAdded(before, after);
  if (added.length) throw new UnsafeFixError(`the policy planned for ${ctx.finding.resource.arn} grants what the current one does not: ${added.join('; ')}`);
}

export const s3RequireTls: CorrectiveControl = {
  ...controlFacts('s3-require-tls'),

  async snapshot(ctx) {
    return { policy: await readPolicy(ctx) };
  },

  async plan(ctx): Promise<ControlPlan> {
    const bucketArn = ctx.finding.resource.arn;
    const policy = await readPolicy(ctx);
    const before = { policy };
    if (requiresTls(policy, bucketArn)) {
      return { applicable: false, reason: 'the bucket policy already denies requests without TLS', before, after: before, summary: `No change: ${bucketArn} already requires TLS.` };
    }
    const after = withTlsRequired(policy, bucketArn);
    prove(policy, after, ctx);
    return {
      applicable: true,
      reason: policy === null ? 'the bucket has no policy, so plain HTTP requests are allowed' : 'the bucket policy does not deny plain HTTP requests',
      before,
      after: { policy: after },
      summary: `${policy === null ? 'Create a bucket policy on' : 'Add a statement to the bucket policy of'} ${bucketArn} denying every request without TLS (aws:SecureTransport false).`,
    };
  },

  async write(ctx, plan) {
    const policy = plan.after.policy;
    if (!policy) throw new ControlFailedError(`the plan for ${ctx.finding.resource.arn} has no policy to write`);
    await putPolicy(ctx, policy, 'adding the TLS requirement to the bucket policy of');
  },

  async verify(ctx): Promise<VerifyOutcome> {
    const policy = await readPolicy(ctx);
    const ok = requiresTls(policy, ctx.finding.resource.arn);
    return { resolved: ok, reason: ok ? 'the bucket policy denies requests without TLS' : 'the bucket policy still allows plain HTTP requests', observed: { policy } };
  },

  async restore(ctx, before) {
    await putPolicy(ctx, before.policy ?? null, 'restoring the bucket policy of');
  },
};
