/**
 * The Lambda permission statements, with real policy shapes as Lambda writes
 * them. moto 5.2.1 stores AddPermission's FunctionUrlAuthType as a top-level
 * statement key (not as the Condition Lambda writes), so the function-URL
 * permission path is covered here with aws-sdk-client-mock; the rest runs
 * against moto in test/emulator/lambda-remove-external-permissions.test.ts.
 */
import { AddPermissionCommand, GetFunctionUrlConfigCommand, GetPolicyCommand, LambdaClient, RemovePermissionCommand, UpdateFunctionUrlConfigCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import { grantOf, sameGrant, syncSteps } from '../../../lib/controls/lambda-permission-statements';
import { getControl } from '../../../lib/controls/registry';
import type { ControlContext } from '../../../lib/controls/types';
import type { PolicyStatement } from '../../../lib/policy';
import { finding as testFinding } from '../../support/finding';

const ACCOUNT = '123456789012';
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders`;
const control = getControl('lambda-remove-external-permissions');
const lambda = mockClient(LambdaClient);

const urlPermission: PolicyStatement = {
  Sid: 'FunctionURLAllowPublicAccess',
  Effect: 'Allow',
  Principal: '*',
  Action: 'lambda:InvokeFunctionUrl',
  Resource: FN,
  Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
};
const ownAccount: PolicyStatement = { Sid: 'Own', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'lambda:InvokeFunction', Resource: FN };
const policyOf = (...statements: PolicyStatement[]) => (statements.length ? JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }) : null);

const context = (arn = FN): ControlContext => ({
  finding: testFinding({
    id: 'f',
    source: 'access-analyzer',
    type: 'ExternalAccess',
    severity: 'HIGH',
    resource: { arn, type: 'AWS::Lambda::Function', accountId: ACCOUNT, region: 'us-east-1' },
    raw: { eventId: 'e', source: 'aws.access-analyzer' },
    exposure: null,
  }),
  zone: { accountIds: [ACCOUNT] },
  exemptPrincipalArns: [],
  clients: new AwsClients({ region: 'us-east-1' }),
});

describe('putting a Lambda permission back', () => {
  it('reads every condition AddPermission can set back into its request', () => {
    expect(grantOf(urlPermission, FN)).toEqual({ statementId: 'FunctionURLAllowPublicAccess', action: 'lambda:InvokeFunctionUrl', principal: '*', functionUrlAuthType: 'NONE' });
    const s3 = {
      Sid: 'S3',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: FN,
      Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::b' }, StringEquals: { 'AWS:SourceAccount': ACCOUNT, 'aws:PrincipalOrgID': 'o-abc123' }, Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
    } as PolicyStatement;
    expect(grantOf(s3, FN)).toEqual({
      statementId: 'S3',
      action: 'lambda:InvokeFunction',
      principal: 's3.amazonaws.com',
      sourceArn: 'arn:aws:s3:::b',
      sourceAccount: ACCOUNT,
      principalOrgId: 'o-abc123',
      invokedViaFunctionUrl: true,
    });
  });

  it('refuses a statement no permission request can express', () => {
    const refused = [
      { ...ownAccount, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      { ...ownAccount, Action: ['lambda:InvokeFunction', 'lambda:GetFunction'] },
      { ...ownAccount, Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`, 'arn:aws:iam::444455556666:root'] } },
      { ...ownAccount, Sid: undefined },
    ] as PolicyStatement[];
    for (const statement of refused) expect(() => grantOf(statement, FN)).toThrow(expect.objectContaining({ name: 'ControlFailedError' }));
  });

  it('treats an account id and its root ARN as the same principal, and a different condition as a different grant', () => {
    expect(sameGrant(ownAccount, { ...ownAccount, Principal: { AWS: ACCOUNT } }, FN)).toBe(true);
    expect(sameGrant(urlPermission, { ...urlPermission, Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } }, FN)).toBe(false);
  });

  it('syncs removals first, then only what is missing or different', () => {
    const changed = { ...urlPermission, Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } };
    const steps = syncSteps(policyOf(ownAccount, changed), policyOf(ownAccount, urlPermission), FN);
    expect(steps.remove).toEqual(['FunctionURLAllowPublicAccess']);
    expect(steps.add.map((g) => g.functionUrlAuthType)).toEqual(['NONE']);
    expect(syncSteps(policyOf(ownAccount), policyOf(ownAccount), FN)).toEqual({ remove: [], add: [] });
  });
});

describe('lambda-remove-external-permissions with a public function URL (mocked: moto mis-stores FunctionUrlAuthType)', () => {
  let live: PolicyStatement[];
  let authType: string;

  beforeEach(() => {
    lambda.reset();
    live = [ownAccount, urlPermission];
    authType = 'NONE';
    lambda.on(GetPolicyCommand).callsFake(async () => {
      if (!live.length) throw Object.assign(new Error('The resource you requested does not exist.'), { name: 'ResourceNotFoundException' });
      return { Policy: policyOf(...live) };
    });
    lambda.on(GetFunctionUrlConfigCommand).callsFake(async () => ({ AuthType: authType }));
    lambda.on(UpdateFunctionUrlConfigCommand).callsFake(async (input: { AuthType: string }) => void (authType = input.AuthType));
    lambda.on(RemovePermissionCommand).callsFake(async (input: { StatementId: string }) => void (live = live.filter((s) => s.Sid !== input.StatementId)));
    lambda.on(AddPermissionCommand).callsFake(async (input: { StatementId: string; Action: string; Principal: string; FunctionUrlAuthType?: string }) => {
      // What Lambda writes for this request.
      live.push({
        Sid: input.StatementId,
        Effect: 'Allow',
        Principal: input.Principal === '*' ? '*' : { AWS: input.Principal },
        Action: input.Action,
        Resource: FN,
        ...(input.FunctionUrlAuthType ? { Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': input.FunctionUrlAuthType } } } : {}),
      });
    });
  });

  it('removes the URL permission by Sid, sets AWS_IAM, and restores both, the permission with its FunctionUrlAuthType condition', async () => {
    const ctx = context();
    const plan = await control.plan(ctx);
    expect(plan.after).toEqual({ policy: policyOf(ownAccount), functionUrlAuthType: 'AWS_IAM' });

    await control.write(ctx, plan);
    expect(lambda.commandCalls(RemovePermissionCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: FN, StatementId: 'FunctionURLAllowPublicAccess' }]);
    expect(lambda.commandCalls(UpdateFunctionUrlConfigCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: FN, AuthType: 'AWS_IAM' }]);
    expect(await control.snapshot(ctx)).toEqual(plan.after);

    await control.restore(ctx, plan.before);
    expect(lambda.commandCalls(AddPermissionCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ FunctionName: FN, StatementId: 'FunctionURLAllowPublicAccess', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }),
    ]);
    expect(JSON.parse((await control.snapshot(ctx)).policy!)).toEqual(JSON.parse(plan.before.policy!));
    expect(authType).toBe('NONE');
  });

  it('passes an alias from the ARN as the Qualifier', async () => {
    await control.snapshot(context(`${FN}:live`));
    expect(lambda.commandCalls(GetPolicyCommand)[0]!.args[0].input).toEqual({ FunctionName: FN, Qualifier: 'live' });
  });
});
