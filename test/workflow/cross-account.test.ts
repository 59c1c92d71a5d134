/**
 * Member accounts end to end: a local stack of this file's own, whose rules opt in
 * the emulated member account (222222222222). A public bucket there is fixed through
 * its member role and rolled back through the workflow; a finding about an account
 * that is not opted in is notified, and changes nothing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEMBER_ROLE_NAME } from '../../lib/accounts/member-role';
import { addClientDecorator, type ClientScope, type SdkClient } from '../../lib/aws/clients';
import { runCli } from '../support/cli';
import { executionName } from '../../lib/workflow/types';
import { accessAnalyzerEvent, publicReadPolicy, uniqueName } from '../../local/fixtures';
import { actInAccount, LOCAL_MEMBER_ACCOUNT } from '../../local/stack';
import { useOwnLocalStack } from '../support/own-stack';
import { livePolicy, livePublicAccessBlock, path, runToEnd, startExecution } from './helpers';

const NOT_OPTED_IN = '333333333333';

/** The shipped rules, with the member account opted in (as a team would add it). */
function rulesOptingIn(accounts: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'remediator-members-'));
  const file = join(dir, 'remediator.rules.yaml');
  writeFileSync(file, `${readFileSync('remediator.rules.yaml', 'utf8')}\naccounts: ${JSON.stringify(accounts)}\n`);
  return file;
}

const own = useOwnLocalStack({ rulesFile: rulesOptingIn([LOCAL_MEMBER_ACCOUNT]), rescanWaitSeconds: 1 });

async function memberBucket(s3: S3Client, prefix: string): Promise<{ bucket: string; original: string }> {
  const bucket = uniqueName(prefix);
  const original = publicReadPolicy(bucket);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: original }));
  return { bucket, original };
}

const cli = (...argv: string[]) => runCli(own.stack, ...argv);
const startedArn = (out: string): string => /started (\S+)/.exec(out)?.[1] ?? '';

describe('a public bucket in an opted-in member account', () => {
  let memberS3: S3Client;
  let bucket: string;
  let original: string;
  let executionArn: string;
  let result: Awaited<ReturnType<typeof runToEnd>>;

  // The function host runs in this worker: every client its handlers build is seen here, with the account it acts in.
  const calls: { client: string; command: string; scope: string | null; input: Record<string, unknown> }[] = [];
  let removeDecorator: () => void = () => undefined;
  afterAll(() => removeDecorator());

  beforeAll(async () => {
    removeDecorator = addClientDecorator((client: SdkClient, scope: ClientScope) => {
      const middleware =
        (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          calls.push({ client: context.clientName ?? '?', command: context.commandName ?? '?', scope: scope.accountId, input: args.input });
          return next(args);
        };
      client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'recordScopes', override: true });
    });
    memberS3 = new S3Client(await actInAccount(own.stack.clientConfig, LOCAL_MEMBER_ACCOUNT, 'cross-account-test'));
    ({ bucket, original } = await memberBucket(memberS3, 'wf-member-public'));
    executionArn = await startExecution(own.sfn, own.stack.stateMachineArn, accessAnalyzerEvent(bucket, { accountId: LOCAL_MEMBER_ACCOUNT }), 'member');
    result = await runToEnd(own.sfn, executionArn);
  });

  it('is fixed and verified on the automatic path', () => {
    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).toEqual(['Classify Finding', 'Route?', 'Apply Corrective Control', 'Wait For Rescan', 'Check Resolution', 'Resolved?', 'Record And Notify', 'Done']);
  });

  it('gets deny-all in the member account, exempting that account\'s member role and break-glass role', async () => {
    const policy = JSON.parse((await livePolicy(memberS3, bucket)) ?? 'null');
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*' });
    expect(policy.Statement[0].Condition.ArnNotLike['aws:PrincipalArn']).toEqual([
      `arn:aws:iam::${LOCAL_MEMBER_ACCOUNT}:role/${DEFAULT_MEMBER_ROLE_NAME}`,
      `arn:aws:iam::${LOCAL_MEMBER_ACCOUNT}:role/BreakGlassAdmin`,
    ]);
    expect(await livePublicAccessBlock(memberS3, bucket)).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  });

  it('acts on the bucket only with the member role\'s credentials, in a session named after the execution', () => {
    const onBucket = calls.filter((c) => c.client === 'S3Client' && c.input.Bucket === bucket);
    expect(onBucket.map((c) => c.command)).toEqual(expect.arrayContaining(['GetBucketPolicyCommand', 'PutBucketPolicyCommand', 'PutPublicAccessBlockCommand']));
    expect(new Set(onBucket.map((c) => c.scope))).toEqual(new Set([LOCAL_MEMBER_ACCOUNT]));
    const assumed = calls.filter((c) => c.command === 'AssumeRoleCommand');
    expect(assumed.map((c) => c.input.RoleSessionName)).toContain(executionName(executionArn));
    expect(assumed.every((c) => c.input.RoleArn === `arn:aws:iam::${LOCAL_MEMBER_ACCOUNT}:role/${DEFAULT_MEMBER_ROLE_NAME}` && c.scope === null)).toBe(true);
  });

  it('keeps the change record, with the member account and the exact prior policy, in the admin account', async () => {
    const change = await own.audit.getChange(executionName(executionArn));
    expect(change).toMatchObject({ status: 'APPLIED', controlId: 's3-deny-all-bucket-policy', resourceArn: `arn:aws:s3:::${bucket}`, accountId: LOCAL_MEMBER_ACCOUNT });
    expect(change!.before.policy).toBe(original);
  });

  it('is rolled back through the workflow (remediate rollback), in the member account, byte for byte', async () => {
    const started = await cli('rollback', executionArn);
    expect(started.code).toBe(0);
    const rollback = await runToEnd(own.sfn, startedArn(started.out));
    expect(rollback.status).toBe('SUCCEEDED');
    expect(path(rollback)).toEqual(['Classify Finding', 'Route?', 'Roll Back Change', 'Record And Notify', 'Done']);
    expect(await livePolicy(memberS3, bucket)).toBe(original);
    expect(await livePublicAccessBlock(memberS3, bucket)).toBeNull();
    expect(await own.audit.getChange(executionName(executionArn))).toMatchObject({ status: 'ROLLED_BACK', rollbackBy: startedArn(started.out) });
  });
});

describe('remediate run --account, as an operator would', () => {
  it('fixes a member account\'s bucket through its member role', async () => {
    const memberS3 = new S3Client(await actInAccount(own.stack.clientConfig, LOCAL_MEMBER_ACCOUNT, 'cross-account-cli'));
    const { bucket } = await memberBucket(memberS3, 'cli-member');
    const started = await cli('run', 's3-deny-all-bucket-policy', '--resource', `arn:aws:s3:::${bucket}`, '--account', LOCAL_MEMBER_ACCOUNT);
    expect(started.code).toBe(0);
    const result = await runToEnd(own.sfn, startedArn(started.out));
    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).toContain('Apply Corrective Control');
    const policy = JSON.parse((await livePolicy(memberS3, bucket)) ?? 'null');
    expect(policy.Statement[0].Condition.ArnNotLike['aws:PrincipalArn']).toContain(`arn:aws:iam::${LOCAL_MEMBER_ACCOUNT}:role/${DEFAULT_MEMBER_ROLE_NAME}`);
    expect(await own.audit.getChange(executionName(startedArn(started.out)))).toMatchObject({ status: 'APPLIED', accountId: LOCAL_MEMBER_ACCOUNT });
  });
});

describe('a finding about an account that is not opted in', () => {
  it('is notified, names the account, and changes nothing', async () => {
    const otherS3 = new S3Client(await actInAccount(own.stack.clientConfig, NOT_OPTED_IN, 'not-opted-in-test'));
    const { bucket, original } = await memberBucket(otherS3, 'wf-not-opted-in');
    const executionArn = await startExecution(own.sfn, own.stack.stateMachineArn, accessAnalyzerEvent(bucket, { accountId: NOT_OPTED_IN }), 'not-opted-in');
    const result = await runToEnd(own.sfn, executionArn);
    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).not.toContain('Apply Corrective Control');
    expect(path(result)).toContain('Record And Notify');
    const output = result.output as { decision: { action: string; reason: string } };
    expect(output.decision.action).toBe('NOTIFY');
    expect(output.decision.reason).toContain(`${NOT_OPTED_IN} is not this deployment's account`);
    expect(output.decision.reason).toContain('not opted in');
    expect(await livePolicy(otherS3, bucket)).toBe(original);
    expect(await own.audit.getChange(executionName(executionArn))).toBeFalsy();
  });
});
