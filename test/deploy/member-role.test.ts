/**
 * The member role (iam/member-role.yaml): generated from the control registry by the
 * generator that writes the admin role's permissions, trusting only the admin account's
 * workflow role with an external id; and the admin side (serverless.yml) that assumes it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEMBER_ROLE_NAME } from '../../lib/accounts/member-role';
import { allControlPermissions } from '../../lib/controls/catalog';
import { memberRoleTemplateText } from '../../iam/member-role';
import { controlPermissionsDocument } from '../../iam/permissions';

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> };
type Template = {
  Parameters: Record<string, { Default?: string }>;
  Resources: Record<string, { Type: string; Properties: { RoleName: unknown; AssumeRolePolicyDocument: { Statement: Statement[] }; Policies: { PolicyDocument: { Statement: Statement[] } }[] } }>;
};

const committed = readFileSync('iam/member-role.yaml', 'utf8');
const template = parse(committed) as Template;
const role = template.Resources.MemberRole!;
const actionsOf = (statements: Statement[]): string[] => statements.flatMap((s) => ([] as string[]).concat(s.Action));

describe('the member role template', () => {
  it('is what the generator writes (npm run generate:iam)', () => {
    expect(committed).toBe(memberRoleTemplateText());
  });

  it('grants exactly the actions the control registry declares, no more, no fewer, never a wildcard', () => {
    const granted = actionsOf(role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement));
    expect([...new Set(granted)].sort()).toEqual([...new Set(allControlPermissions())].sort());
    expect(granted.length).toBe(new Set(granted).size);
    expect(granted.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('carries the same permissions document as the admin workflow role (one generator, two outputs)', () => {
    expect(role.Properties.Policies).toEqual([{ PolicyName: 'corrective-controls', PolicyDocument: controlPermissionsDocument() }]);
  });

  it('is named by a parameter whose default is the name Remediator assumes', () => {
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.RoleName).toEqual({ Ref: 'MemberRoleName' });
    expect(template.Parameters.MemberRoleName?.Default).toBe(DEFAULT_MEMBER_ROLE_NAME);
    expect(Object.keys(template.Parameters).sort()).toEqual(['AdminAccountId', 'AdminRoleNamePattern', 'ExternalId', 'MemberRoleName']);
  });

  it('trusts only the admin account\'s workflow role, and only with the external id', () => {
    const trust = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(actionsOf(trust).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    for (const statement of trust) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Principal).toEqual({ AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AdminAccountId}:root' } });
      expect(statement.Condition?.ArnLike).toEqual({ 'aws:PrincipalArn': { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AdminAccountId}:role/${AdminRoleNamePattern}' } });
    }
    const assume = trust.find((s) => s.Action === 'sts:AssumeRole');
    expect(assume?.Condition?.StringEquals).toEqual({ 'sts:ExternalId': { 'Fn::Sub': '${ExternalId}' } });
    const tags = trust.find((s) => s.Action === 'sts:TagSession');
    expect(tags?.Condition?.['ForAllValues:StringEquals']).toEqual({ 'aws:TagKeys': ['remediator:finding', 'remediator:actor'] });
  });
});

describe('the admin side in serverless.yml', () => {
  let resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  let functions: { Properties: { Environment?: { Variables?: Record<string, unknown> } } }[];

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'remediator-member-package-'));
    execFileSync('npx', ['--no', 'osls', 'package', '--stage', 'ci', '--region', 'us-east-1', '--package', dir], {
      stdio: 'pipe',
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'dummy', AWS_SECRET_ACCESS_KEY: 'dummy', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      timeout: 300_000,
    });
    resources = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources;
    functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function') as never;
  }, 300_000);

  const statementsOf = (roleId: string): Statement[] =>
    ((resources[roleId]?.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);

  it('lets the workflow role assume the member role by name in any account, and nothing else through STS', () => {
    const sts = statementsOf('WorkflowRole').filter((s) => actionsOf([s]).some((a) => a.startsWith('sts:')));
    expect(sts).toEqual([
      {
        Sid: 'AssumeMemberRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:iam::*:role/${DEFAULT_MEMBER_ROLE_NAME}` }],
      },
    ]);
  });

  it('gives no other role a way into member accounts', () => {
    const others = Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id !== 'WorkflowRole');
    expect(others.length).toBeGreaterThan(0);
    for (const [id] of others) expect(actionsOf(statementsOf(id)).filter((a) => a.startsWith('sts:'))).toEqual([]);
  });

  it('tells every function the member role name and the external id', () => {
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const env = fn.Properties.Environment?.Variables ?? {};
      expect(env.REMEDIATOR_MEMBER_ROLE_NAME).toBe(DEFAULT_MEMBER_ROLE_NAME);
      expect(env.REMEDIATOR_MEMBER_EXTERNAL_ID).toBe('remediator-ci');
    }
  });
});
