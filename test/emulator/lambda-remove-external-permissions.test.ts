/**
 * The Lambda function control against the emulator's Lambda, through the runner.
 * Rollback is semantic (permissions are re-added one by one with AddPermission):
 * the test compares the restored policy statement by statement (same Sids, same
 * principal, action and conditions), not byte for byte.
 * moto 5.2.1 stores AddPermission's FunctionUrlAuthType as a top-level statement
 * key instead of a Condition, which no real policy has; that mapping is covered in
 * test/unit/controls/lambda-remove-external-permissions.test.ts.
 */
import { AddPermissionCommand, CreateFunctionCommand, RemovePermissionCommand, CreateFunctionUrlConfigCommand, GetFunctionUrlConfigCommand, GetPolicyCommand, LambdaClient, type AddPermissionRequest } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../lib/aws/clients';
import { awsErrorName } from '../../lib/aws/errors';
import { AuditStore } from '../../lib/audit/store';
import { applyChange, planChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import { getControl } from '../../lib/controls/registry';
import type { ControlContext } from '../../lib/controls/types';
import { uniqueName } from '../../local/fixtures';
import { pendingChangeRecord } from '../support/change-record';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const lambda = new LambdaClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 'lambda-remove-external-permissions';
const EXTERNAL = '444455556666';

type Permission = Omit<AddPermissionRequest, 'FunctionName'>;

async function functionWith(permissions: Permission[], url: 'NONE' | 'AWS_IAM' | null = null): Promise<string> {
  const created = await lambda.send(
    new CreateFunctionCommand({ FunctionName: uniqueName('remediator-test'), Runtime: 'nodejs20.x', Role: stack.remediationRoleArn, Handler: 'index.handler', Code: { ZipFile: Buffer.from('placeholder') } }),
  );
  const arn = created.FunctionArn!;
  for (const permission of permissions) await lambda.send(new AddPermissionCommand({ FunctionName: arn, ...permission }));
  if (url) await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: arn, AuthType: url }));
  return arn;
}

async function policyOf(arn: string): Promise<string | null> {
  try {
    return (await lambda.send(new GetPolicyCommand({ FunctionName: arn }))).Policy ?? null;
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') return null;
    throw error;
  }
}

const urlAuthOf = async (arn: string) => (await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: arn }))).AuthType;
const statementsBySid = (policy: string | null) => Object.fromEntries(((policy ? JSON.parse(policy).Statement : []) as { Sid: string }[]).map((s) => [s.Sid, s]));
const context = (arn: string): ControlContext => controlContextFor(stack, arn, 'AWS::Lambda::Function');
const apply = (arn: string, changeId: string) => applyChange({ controlId: CONTROL, ctx: context(arn), store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' });

const trusted = (): Permission[] => [
  { StatementId: 'OwnAccount', Action: 'lambda:InvokeFunction', Principal: `arn:aws:iam::${stack.accountId}:root` },
  { StatementId: 'OwnBucket', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::own-bucket', SourceAccount: stack.accountId },
];
const external: Permission[] = [
  { StatementId: 'Anyone', Action: 'lambda:InvokeFunction', Principal: '*' },
  { StatementId: 'Partner', Action: 'lambda:GetFunction', Principal: `arn:aws:iam::${EXTERNAL}:root` },
  { StatementId: 'PartnerTopic', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: `arn:aws:sns:us-east-1:${EXTERNAL}:topic`, SourceAccount: EXTERNAL },
  { StatementId: 'OtherOrg', Action: 'lambda:InvokeFunction', Principal: '*', PrincipalOrgID: 'o-otherorg123' },
];

describe('lambda-remove-external-permissions on the emulator', () => {
  it('removes every external permission by Sid, closes a public URL, and rolls back to the same statements and AuthType', async () => {
    const arn = await functionWith([...trusted(), ...external], 'NONE');
    const original = await policyOf(arn);
    expect((await verifyChange(CONTROL, context(arn))).resolved).toBe(false);

    const changeId = uniqueName('change');
    const result = await apply(arn, changeId);

    expect(result.status).toBe('REMEDIATED');
    expect(result.summary).toMatch(/remove permissions Anyone, Partner, PartnerTopic, OtherOrg; switch the function URL from AuthType NONE to AWS_IAM/);
    const fixed = await policyOf(arn);
    expect(Object.keys(statementsBySid(fixed)).sort()).toEqual(['OwnAccount', 'OwnBucket']);
    expect(statementsBySid(fixed)).toEqual({ OwnAccount: statementsBySid(original).OwnAccount, OwnBucket: statementsBySid(original).OwnBucket });
    expect(await urlAuthOf(arn)).toBe('AWS_IAM');
    expect(await verifyChange(CONTROL, context(arn))).toMatchObject({ resolved: true });
    const record = await audit.getChange(changeId);
    expect(record?.before).toEqual({ policy: original, functionUrlAuthType: 'NONE' });
    const live = await getControl(CONTROL).snapshot(context(arn));
    expect(JSON.parse(live.policy!)).toEqual(JSON.parse(record!.after.policy!));
    expect(live.functionUrlAuthType).toBe(record!.after.functionUrlAuthType);

    await rollbackChange({ ctx: context(arn), store: audit, changeId, actor: 'auto' });
    // Semantic equality: the same statements by Sid, each with the same principal, action, conditions and resource.
    expect(statementsBySid(await policyOf(arn))).toEqual(statementsBySid(original));
    expect(await urlAuthOf(arn)).toBe('NONE');
    expect((await verifyChange(CONTROL, context(arn))).resolved).toBe(false);
  });

  it('finishes, on retry, a change whose function stopped after removing the first of its permissions', async () => {
    const arn = await functionWith([...trusted(), ...external]);
    const original = await policyOf(arn);
    const changeId = uniqueName('change');
    const plan = await planChange(CONTROL, context(arn));
    await audit.createChange(pendingChangeRecord(context(arn), CONTROL, changeId, `arn:x:${changeId}`, plan));
    // One RemovePermission of four landed; then Lambda stopped the function. The policy is neither before nor after.
    await lambda.send(new RemovePermissionCommand({ FunctionName: arn, StatementId: 'Anyone' }));
    const partWay = await policyOf(arn);

    const result = await apply(arn, changeId);

    expect(result).toMatchObject({ status: 'REMEDIATED', reason: expect.stringMatching(/stopped part-way/) });
    expect(Object.keys(statementsBySid(await policyOf(arn))).sort()).toEqual(['OwnAccount', 'OwnBucket']);
    const record = await audit.getChange(changeId);
    expect(record?.status).toBe('APPLIED');
    expect(statementsBySid(record?.resumedFrom?.policy ?? null)).toEqual(statementsBySid(partWay));

    await rollbackChange({ ctx: context(arn), store: audit, changeId, actor: 'auto' });
    expect(statementsBySid(await policyOf(arn))).toEqual(statementsBySid(original));
  });

  it('removes the last permission (no policy left) and adds it back', async () => {
    const arn = await functionWith([external[1]!]);
    const original = await policyOf(arn);
    expect(await planChange(CONTROL, context(arn))).toMatchObject({ applicable: true, after: { policy: null, functionUrlAuthType: null } });

    const changeId = uniqueName('change');
    expect((await apply(arn, changeId)).status).toBe('REMEDIATED');
    expect(await policyOf(arn)).toBeNull();

    await rollbackChange({ ctx: context(arn), store: audit, changeId, actor: 'auto' });
    expect(statementsBySid(await policyOf(arn))).toEqual(statementsBySid(original));
  });

  it('closes a public function URL even when the policy is trusted', async () => {
    const arn = await functionWith(trusted(), 'NONE');
    const plan = await planChange(CONTROL, context(arn));
    expect(plan.after.policy).toBe(plan.before.policy);
    expect(plan.after.functionUrlAuthType).toBe('AWS_IAM');
  });

  it('changes nothing on a function only the zone of trust can reach', async () => {
    const arn = await functionWith(trusted(), 'AWS_IAM');
    const before = await policyOf(arn);
    expect((await apply(arn, uniqueName('change'))).status).toBe('NOT_APPLICABLE');
    expect(await policyOf(arn)).toBe(before);
    expect(await urlAuthOf(arn)).toBe('AWS_IAM');
  });
});
