/**
 * Member accounts on the emulator: the local stack has a second account
 * (222222222222) with the member role of iam/member-role.yaml. Resources there are
 * changed with credentials from AssumeRole into that role, checked with
 * GetCallerIdentity before first use; credentials that answer for another account
 * are refused and nothing is written.
 */
import { CreateBucketCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand, ListBucketsCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEMBER_ROLE_NAME } from '../../lib/accounts/member-role';
import { AuditStore } from '../../lib/audit/store';
import { addClientDecorator, AwsClients, type ClientScope, type SdkClient } from '../../lib/aws/clients';
import { MemberAccountClients } from '../../lib/aws/member-clients';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import { FindingSchema, type Finding } from '../../lib/finding';
import { loadRules } from '../../lib/rules/load';
import { controlContext } from '../../lib/workflow/context';
import { publicReadPolicy, uniqueName } from '../../local/fixtures';
import { actInAccount, LOCAL_MEMBER_ACCOUNT, LOCAL_MEMBER_EXTERNAL_ID } from '../../local/stack';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const admin = new AwsClients(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, admin);
const rules = loadRules('remediator.rules.yaml');
const MEMBER_ROLE = `arn:aws:iam::${LOCAL_MEMBER_ACCOUNT}:role/${DEFAULT_MEMBER_ROLE_NAME}`;
const CONTROL = 's3-deny-all-bucket-policy';

let memberS3: S3Client;
beforeAll(async () => {
  memberS3 = new S3Client(await actInAccount(stack.clientConfig, LOCAL_MEMBER_ACCOUNT, 'member-test-setup'));
});

/** Fresh admin clients by default, so that a decorator installed by the test sees the STS client too. */
const members = (adminClients = new AwsClients(stack.clientConfig)) => new MemberAccountClients(adminClients, { adminAccountId: stack.accountId, roleName: DEFAULT_MEMBER_ROLE_NAME, externalId: LOCAL_MEMBER_EXTERNAL_ID });

function findingFor(bucket: string, accountId = LOCAL_MEMBER_ACCOUNT): Finding {
  return FindingSchema.parse({
    id: uniqueName('member-finding'),
    source: 'access-analyzer',
    type: 'ExternalAccess',
    status: 'ACTIVE',
    severity: 'HIGH',
    resource: { arn: `arn:aws:s3:::${bucket}`, type: 'AWS::S3::Bucket', accountId, region: stack.region },
    observedAt: new Date().toISOString(),
    raw: { eventId: 'e', source: 'aws.access-analyzer' },
  });
}

async function memberBucketWith(policy: string): Promise<string> {
  const bucket = uniqueName('member-ctl');
  await memberS3.send(new CreateBucketCommand({ Bucket: bucket }));
  await memberS3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
  return bucket;
}

const policyIn = (s3: S3Client, bucket: string) =>
  s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
    (r) => r.Policy ?? null,
    (e: Error) => (e.name === 'NoSuchBucketPolicy' || e.name === 'NoSuchBucket' ? null : Promise.reject(e)),
  );

/** Every STS call made while installed, with the scope of the client that made it; optionally rewrite GetCallerIdentity's answer. */
interface StsCall {
  command: string;
  scope: string | null;
  input: Record<string, unknown>;
}
let removeDecorator: (() => void) | undefined;
function watchSts(options: { answerAccount?: string } = {}): StsCall[] {
  const calls: StsCall[] = [];
  removeDecorator = addClientDecorator((client: SdkClient, scope: ClientScope) => {
    const middleware =
      (next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>, context: { clientName?: string; commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        if (context.clientName !== 'STSClient') return next(args);
        calls.push({ command: context.commandName ?? '?', scope: scope.accountId, input: args.input });
        const result = await next(args);
        if (context.commandName === 'GetCallerIdentityCommand' && options.answerAccount) {
          // A role in the wrong account: the member credentials say they act somewhere else.
          return { ...result, output: { ...result.output, Account: options.answerAccount } };
        }
        return result;
      };
    client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'watchSts', override: true });
  });
  return calls;
}
afterEach(() => {
  removeDecorator?.();
  removeDecorator = undefined;
});

describe('clients for a member account', () => {
  it('act in the member account as its member role, with the execution as session name', async () => {
    const clients = members().forAccount(LOCAL_MEMBER_ACCOUNT, stack.region, { execution: 'exec-member-identity', findingId: 'f-1', actor: 'auto' });
    const identity = await clients.get(STSClient).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(LOCAL_MEMBER_ACCOUNT);
    expect(identity.Arn).toBe(`arn:aws:sts::${LOCAL_MEMBER_ACCOUNT}:assumed-role/${DEFAULT_MEMBER_ROLE_NAME}/exec-member-identity`);
    expect(clients.scope).toEqual({ accountId: LOCAL_MEMBER_ACCOUNT });
  });

  it('see the member account\'s buckets, not the admin account\'s', async () => {
    const bucket = await memberBucketWith(publicReadPolicy('member-only'));
    const clients = members().forAccount(LOCAL_MEMBER_ACCOUNT, stack.region, { execution: 'exec-member-buckets', findingId: 'f-2', actor: 'auto' });
    const inMember = (await clients.get(S3Client).send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
    const inAdmin = (await new S3Client(stack.clientConfig).send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
    expect(inMember).toContain(bucket);
    expect(inAdmin).not.toContain(bucket);
  });

  it('are the admin account\'s own clients for its own resources: no role is assumed', async () => {
    const calls = watchSts();
    const m = members(admin);
    expect(m.forAccount(stack.accountId, stack.region, { execution: 'exec-own', findingId: 'f-3', actor: 'auto' })).toBe(admin);
    expect(calls).toEqual([]);
  });

  it('assume the member role with the external id, the session tags, and check the identity once per session', async () => {
    const calls = watchSts();
    const m = members();
    const session = { execution: 'exec-once-per-session', findingId: 'finding/with spaces?', actor: 'slack:U0APPROVER' };
    const clients = m.forAccount(LOCAL_MEMBER_ACCOUNT, stack.region, session);
    const bucket = await memberBucketWith(publicReadPolicy('once'));
    await Promise.all([clients.get(S3Client).send(new GetBucketPolicyCommand({ Bucket: bucket })), clients.get(S3Client).send(new ListBucketsCommand({}))]);
    await clients.get(S3Client).send(new GetBucketPolicyCommand({ Bucket: bucket }));
    // The same execution asks again (another task in this container): the cached session serves it.
    await m.forAccount(LOCAL_MEMBER_ACCOUNT, stack.region, session).get(S3Client).send(new ListBucketsCommand({}));
    expect(calls.map((c) => `${c.command}@${c.scope ?? 'admin'}`)).toEqual(['AssumeRoleCommand@admin', `GetCallerIdentityCommand@${LOCAL_MEMBER_ACCOUNT}`]);
    expect(calls[0]?.input).toMatchObject({
      RoleArn: MEMBER_ROLE,
      RoleSessionName: 'exec-once-per-session',
      ExternalId: LOCAL_MEMBER_EXTERNAL_ID,
      Tags: [
        { Key: 'remediator:finding', Value: 'finding/with spaces_' },
        { Key: 'remediator:actor', Value: 'slack:U0APPROVER' },
      ],
    });
  });

  it('refuse credentials that act in another account (WrongAccountError) and write nothing', async () => {
    const original = publicReadPolicy('wrong-account').replaceAll('wrong-account', uniqueName('x'));
    const bucket = await memberBucketWith(original);
    const calls = watchSts({ answerAccount: '333333333333' });
    const finding = findingFor(bucket);
    const ctx = await controlContext(finding, rules, stack.remediationRoleArn, admin, { memberAccounts: members(), session: { execution: uniqueName('exec-wrong'), actor: 'auto' } });
    const changeId = uniqueName('change');
    await expect(applyChange({ controlId: CONTROL, ctx, store: audit, changeId, executionArn: `arn:aws:states:::execution:x:${changeId}`, actor: 'auto' })).rejects.toMatchObject({
      name: 'WrongAccountError',
      message: expect.stringContaining(`act in account 333333333333`),
    });
    expect(await policyIn(memberS3, bucket)).toBe(original);
    expect(calls.filter((c) => c.command === 'GetCallerIdentityCommand')).toHaveLength(1);
    const stored = await audit.getChange(changeId);
    expect(stored === null || stored === undefined || stored.status !== 'APPLIED').toBe(true);
  });
});

describe('s3-deny-all-bucket-policy on a member account\'s bucket', () => {
  let bucket: string;
  let original: string;
  let changeId: string;
  let policyAfter: { Statement: { Condition: { ArnNotLike: { 'aws:PrincipalArn': string[] } } }[] };

  beforeAll(async () => {
    original = publicReadPolicy('member-fix').replaceAll('member-fix', uniqueName('y'));
    bucket = await memberBucketWith(original);
    changeId = uniqueName('change');
    const ctx = await controlContext(findingFor(bucket), rules, stack.remediationRoleArn, admin, { memberAccounts: members(), session: { execution: changeId, actor: 'auto' } });
    const result = await applyChange({ controlId: CONTROL, ctx, store: audit, changeId, executionArn: `arn:aws:states:::execution:x:${changeId}`, actor: 'auto' });
    expect(result.status).toBe('REMEDIATED');
    policyAfter = JSON.parse((await policyIn(memberS3, bucket)) ?? 'null');
  });

  it('writes deny-all in the member account, exempting its member role and break-glass role, not the admin role', () => {
    expect(policyAfter.Statement[0]?.Condition.ArnNotLike['aws:PrincipalArn']).toEqual([MEMBER_ROLE, `arn:aws:iam::${LOCAL_MEMBER_ACCOUNT}:role/BreakGlassAdmin`]);
  });

  it('turns on Block Public Access on the member bucket and verifies it there', async () => {
    const block = await memberS3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    expect(block.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const ctx = await controlContext(findingFor(bucket), rules, stack.remediationRoleArn, admin, { memberAccounts: members(), session: { execution: changeId, actor: 'auto' } });
    expect(await verifyChange(CONTROL, ctx)).toMatchObject({ resolved: true });
  });

  it('keeps the change record in the admin account and rolls the member bucket back byte for byte', async () => {
    const record = await audit.getChange(changeId);
    expect(record?.before.policy).toBe(original);
    const ctx = await controlContext(findingFor(bucket), rules, stack.remediationRoleArn, admin, { memberAccounts: members(), session: { execution: uniqueName('exec-rollback'), actor: 'slack:U0ONCALL' } });
    const rolledBack = await rollbackChange({ ctx, store: audit, changeId, actor: 'slack:U0ONCALL', holder: `arn:aws:states:::execution:x:${uniqueName('rb')}` });
    expect(rolledBack.status).toBe('ROLLED_BACK');
    expect(await policyIn(memberS3, bucket)).toBe(original);
  });
});
