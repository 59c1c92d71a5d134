/**
 * Proof before write, asked of Access Analyzer. moto has no Access Analyzer,
 * so these calls are covered with aws-sdk-client-mock (no network): the
 * checks themselves, and their use by the remove-external-statements plan
 * when ControlContext.accessAnalyzerChecks is on.
 */
import { AccessAnalyzerClient, CheckNoNewAccessCommand, CheckNoPublicAccessCommand } from '@aws-sdk/client-accessanalyzer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import { removeExternalStatementsControl } from '../../../lib/controls/remove-external-statements';
import type { ControlContext } from '../../../lib/controls/types';
import { FindingSchema } from '../../../lib/finding';
import { checkNoNewAccess, checkNoPublicAccess, publicAccessCheckType } from '../../../lib/verify/access-analyzer-checks';

const analyzer = mockClient(AccessAnalyzerClient);
afterEach(() => analyzer.reset());
const clients = () => new AwsClients({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const POLICY = '{"Version":"2012-10-17","Statement":[]}';

describe('checkNoPublicAccess', () => {
  it('passes a policy Access Analyzer finds not public, asking with the API resource type', async () => {
    analyzer.on(CheckNoPublicAccessCommand).resolves({ result: 'PASS' });
    await expect(checkNoPublicAccess(clients(), POLICY, 'AWS::IAM::Role')).resolves.toBe('PASS');
    expect(analyzer.commandCalls(CheckNoPublicAccessCommand)[0]?.args[0].input).toEqual({ policyDocument: POLICY, resourceType: 'AWS::IAM::AssumeRolePolicyDocument' });
  });

  it('stops the write with UnsafeFixError carrying the reasons on FAIL', async () => {
    analyzer.on(CheckNoPublicAccessCommand).resolves({ result: 'FAIL', message: 'public', reasons: [{ description: 'Principal * with no condition', statementIndex: 2, statementId: 'Anyone' }] });
    await expect(checkNoPublicAccess(clients(), POLICY, 'AWS::SQS::Queue')).rejects.toMatchObject({
      name: 'UnsafeFixError',
      message: expect.stringContaining('Principal * with no condition'),
      context: { check: 'CheckNoPublicAccess', reasons: [{ description: 'Principal * with no condition', statementIndex: 2, statementId: 'Anyone' }] },
    });
  });

  it('skips resource types the API does not support, without calling it', async () => {
    expect(publicAccessCheckType('AWS::ECR::Repository')).toBeNull();
    await expect(checkNoPublicAccess(clients(), POLICY, 'AWS::ECR::Repository')).resolves.toBe('SKIPPED');
    expect(analyzer.calls()).toHaveLength(0);
  });

  it('turns a throttled call into a retryable TransientAwsError', async () => {
    analyzer.on(CheckNoPublicAccessCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(checkNoPublicAccess(clients(), POLICY, 'AWS::S3::Bucket')).rejects.toMatchObject({ name: 'TransientAwsError' });
  });
});

describe('checkNoNewAccess', () => {
  it('compares the new policy with the old one as a resource policy', async () => {
    analyzer.on(CheckNoNewAccessCommand).resolves({ result: 'PASS' });
    await expect(checkNoNewAccess(clients(), 'new', 'old')).resolves.toBe('PASS');
    expect(analyzer.commandCalls(CheckNoNewAccessCommand)[0]?.args[0].input).toEqual({ newPolicyDocument: 'new', existingPolicyDocument: 'old', policyType: 'RESOURCE_POLICY' });
  });

  it('stops the write on FAIL', async () => {
    analyzer.on(CheckNoNewAccessCommand).resolves({ result: 'FAIL', reasons: [{ description: 'grants s3:PutObject' }] });
    await expect(checkNoNewAccess(clients(), 'new', 'old')).rejects.toMatchObject({ name: 'UnsafeFixError', message: expect.stringContaining('grants s3:PutObject') });
  });
});

describe('remove-external-statements asks Access Analyzer before writing when told to', () => {
  const external = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Own', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sqs:*', Resource: 'arn:aws:sqs:us-east-1:111122223333:q' },
      { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:111122223333:q' },
    ],
  });
  const written: string[] = [];
  const facts = {
    id: 'test-remove-external-statements',
    description: 'a control over an in-memory policy, for this test',
    handles: { resourceTypes: ['AWS::SQS::Queue'] },
    permissions: ['sqs:GetQueueAttributes', 'access-analyzer:CheckNoNewAccess', 'access-analyzer:CheckNoPublicAccess'],
  };
  const access = { read: async () => external, write: async (_ctx: ControlContext, policy: string) => void written.push(policy) };
  const control = removeExternalStatementsControl({ facts, noun: 'queue policy', kind: 'sqs', access });
  const ctx = (accessAnalyzerChecks: boolean): ControlContext => ({
    finding: FindingSchema.parse({
      id: 'f-1',
      source: 'access-analyzer',
      type: 'ExternalAccess',
      status: 'ACTIVE',
      severity: 'HIGH',
      resource: { arn: 'arn:aws:sqs:us-east-1:111122223333:q', type: 'AWS::SQS::Queue', accountId: '111122223333', region: 'us-east-1' },
      observedAt: new Date().toISOString(),
      raw: { eventId: 'e', source: 'aws.access-analyzer' },
    }),
    zone: { accountIds: ['111122223333'] },
    exemptPrincipalArns: [],
    clients: clients(),
    accessAnalyzerChecks,
  });

  it('declares the Access Analyzer actions it may call', () => {
    expect(control.permissions).toEqual(expect.arrayContaining(['access-analyzer:CheckNoNewAccess', 'access-analyzer:CheckNoPublicAccess']));
  });

  it('refuses catalog facts that leave out the Access Analyzer actions its plan may call', () => {
    const undeclared = { ...facts, permissions: ['sqs:GetQueueAttributes', 'access-analyzer:CheckNoNewAccess'] };
    expect(() => removeExternalStatementsControl({ facts: undeclared, noun: 'queue policy', kind: 'sqs', access })).toThrow(
      'control test-remove-external-statements asks Access Analyzer before it writes: its catalog entry must declare access-analyzer:CheckNoPublicAccess',
    );
  });

  it('sends the planned policy to both checks and plans the change when both pass', async () => {
    analyzer.on(CheckNoPublicAccessCommand).resolves({ result: 'PASS' }).on(CheckNoNewAccessCommand).resolves({ result: 'PASS' });
    const plan = await control.plan(ctx(true));
    expect(plan.applicable).toBe(true);
    expect(analyzer.commandCalls(CheckNoPublicAccessCommand)[0]?.args[0].input).toEqual({ policyDocument: plan.after.policy, resourceType: 'AWS::SQS::Queue' });
    expect(analyzer.commandCalls(CheckNoNewAccessCommand)[0]?.args[0].input).toMatchObject({ newPolicyDocument: plan.after.policy, existingPolicyDocument: external });
  });

  it('refuses the plan when Access Analyzer says the edit adds access', async () => {
    analyzer.on(CheckNoPublicAccessCommand).resolves({ result: 'PASS' }).on(CheckNoNewAccessCommand).resolves({ result: 'FAIL', reasons: [{ description: 'new access' }] });
    await expect(control.plan(ctx(true))).rejects.toMatchObject({ name: 'UnsafeFixError' });
    expect(written).toEqual([]);
  });

  it('does not call Access Analyzer when the setting is off (the local stack)', async () => {
    expect((await control.plan(ctx(false))).applicable).toBe(true);
    expect(analyzer.calls()).toHaveLength(0);
  });
});
