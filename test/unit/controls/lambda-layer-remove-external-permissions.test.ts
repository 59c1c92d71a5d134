/**
 * lambda-layer-remove-external-permissions with an organization grant, mocked
 * (aws-sdk-client-mock): moto 5.2.1 keeps AddLayerVersionPermission's
 * OrganizationId as a top-level statement key rather than the aws:PrincipalOrgID
 * condition Lambda writes. The rest runs against moto in
 * test/emulator/lambda-layer-remove-external-permissions.test.ts.
 */
import { AddLayerVersionPermissionCommand, GetLayerVersionPolicyCommand, LambdaClient, RemoveLayerVersionPermissionCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import { getControl } from '../../../lib/controls/registry';
import type { ControlContext } from '../../../lib/controls/types';
import type { PolicyStatement } from '../../../lib/policy';
import { finding as testFinding } from '../../support/finding';

const ACCOUNT = '123456789012';
const LAYER = `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:shared-libs`;
const control = getControl('lambda-layer-remove-external-permissions');
const lambda = mockClient(LambdaClient);

const otherOrg: PolicyStatement = {
  Sid: 'OtherOrg',
  Effect: 'Allow',
  Principal: '*',
  Action: 'lambda:GetLayerVersion',
  Resource: `${LAYER}:3`,
  Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-otherorg123' } },
};
const policyOf = (statements: PolicyStatement[]) => (statements.length ? JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }) : null);

const context = (arn: string): ControlContext => ({
  finding: testFinding({
    id: 'f',
    source: 'access-analyzer',
    type: 'ExternalAccess',
    severity: 'HIGH',
    resource: { arn, type: 'AWS::Lambda::LayerVersion', accountId: ACCOUNT, region: 'us-east-1' },
    raw: { eventId: 'e', source: 'aws.access-analyzer' },
    exposure: null,
  }),
  zone: { accountIds: [ACCOUNT] },
  exemptPrincipalArns: [],
  clients: new AwsClients({ region: 'us-east-1' }),
});

let live: PolicyStatement[];
beforeEach(() => {
  lambda.reset();
  live = [otherOrg];
  lambda.on(GetLayerVersionPolicyCommand).callsFake(async () => {
    if (!live.length) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    return { Policy: policyOf(live) };
  });
  lambda.on(RemoveLayerVersionPermissionCommand).callsFake(async (input: { StatementId: string }) => void (live = live.filter((s) => s.Sid !== input.StatementId)));
  lambda.on(AddLayerVersionPermissionCommand).callsFake(async (input: { StatementId: string; Action: string; Principal: string; OrganizationId?: string }) => {
    // What Lambda writes for this request.
    live.push({
      Sid: input.StatementId,
      Effect: 'Allow',
      Principal: input.Principal === '*' ? '*' : { AWS: input.Principal },
      Action: input.Action,
      Resource: `${LAYER}:3`,
      ...(input.OrganizationId ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': input.OrganizationId } } } : {}),
    });
  });
});

describe('lambda-layer-remove-external-permissions with an organization grant (mocked: moto mis-stores OrganizationId)', () => {
  it('removes a grant to another organization and puts it back with its OrganizationId', async () => {
    const ctx = context(`${LAYER}:3`);
    const plan = await control.plan(ctx);
    expect(plan.after).toEqual({ policy: null });

    await control.write(ctx, plan);
    expect(lambda.commandCalls(RemoveLayerVersionPermissionCommand).map((c) => c.args[0].input)).toEqual([{ LayerName: LAYER, VersionNumber: 3, StatementId: 'OtherOrg' }]);

    await control.restore(ctx, plan.before);
    expect(lambda.commandCalls(AddLayerVersionPermissionCommand).map((c) => c.args[0].input)).toEqual([
      { LayerName: LAYER, VersionNumber: 3, StatementId: 'OtherOrg', Action: 'lambda:GetLayerVersion', Principal: '*', OrganizationId: 'o-otherorg123' },
    ]);
    expect(JSON.parse((await control.snapshot(ctx)).policy!)).toEqual(JSON.parse(plan.before.policy!));
  });

  it('refuses an ARN without a layer version before any call', async () => {
    await expect(control.plan(context(LAYER))).rejects.toMatchObject({ name: 'ControlFailedError' });
    expect(lambda.calls()).toHaveLength(0);
  });
});
