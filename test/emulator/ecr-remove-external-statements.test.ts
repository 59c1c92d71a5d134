/** The ECR minimal-fix control against the emulator's ECR, through the runner. */
import { CreateRepositoryCommand, ECRClient, GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../lib/aws/clients';
import { awsErrorName } from '../../lib/aws/errors';
import { AuditStore } from '../../lib/audit/store';
import { applyChange, planChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const ecr = new ECRClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 'ecr-remove-external-statements';
const EXTERNAL = '444455556666';

async function repositoryWith(policy: string | null): Promise<{ arn: string; name: string }> {
  const name = `team/${uniqueName('remediator-test')}`;
  const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  if (policy !== null) await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: policy }));
  return { arn: created.repository!.repositoryArn!, name };
}

async function policyOf(name: string): Promise<string | null> {
  try {
    return (await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }))).policyText ?? null;
  } catch (error) {
    if (awsErrorName(error) === 'RepositoryPolicyNotFoundException') return null;
    throw error;
  }
}

const context = (arn: string): ControlContext => controlContextFor(stack, arn, 'AWS::ECR::Repository');
const apply = (arn: string, changeId: string) => applyChange({ controlId: CONTROL, ctx: context(arn), store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' });
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
const ciPushes = () => ({ Sid: 'CiPushes', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stack.accountId}:role/ci` }, Action: ['ecr:PutImage', 'ecr:UploadLayerPart'] });
const pulls = () => ({
  Sid: 'Pulls',
  Effect: 'Allow',
  Principal: { AWS: [`arn:aws:iam::${EXTERNAL}:root`, `arn:aws:iam::${stack.accountId}:role/deploy`] },
  Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
});

describe('ecr-remove-external-statements on the emulator', () => {
  it('removes only the external principal, keeps the rest, and rolls back byte for byte', async () => {
    const original = policy(ciPushes(), pulls());
    const repo = await repositoryWith(original);
    expect((await verifyChange(CONTROL, context(repo.arn))).resolved).toBe(false);

    const changeId = uniqueName('change');
    const result = await apply(repo.arn, changeId);

    expect(result.status).toBe('REMEDIATED');
    expect(result.summary).toMatch(new RegExp(EXTERNAL));
    const fixed = JSON.parse((await policyOf(repo.name))!);
    expect(fixed.Statement).toEqual([ciPushes(), { ...pulls(), Principal: { AWS: [`arn:aws:iam::${stack.accountId}:role/deploy`] } }]);
    expect(await verifyChange(CONTROL, context(repo.arn))).toMatchObject({ resolved: true });
    expect((await audit.getChange(changeId))?.before.policy).toBe(original);

    await rollbackChange({ ctx: context(repo.arn), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(repo.name)).toBe(original);
  });

  it('deletes a policy that only grants outside the zone, and puts it back on rollback', async () => {
    const original = policy({ ...pulls(), Principal: { AWS: `arn:aws:iam::${EXTERNAL}:root` } });
    const repo = await repositoryWith(original);
    expect(await planChange(CONTROL, context(repo.arn))).toMatchObject({ applicable: true, after: { policy: null } });

    const changeId = uniqueName('change');
    expect((await apply(repo.arn, changeId)).status).toBe('REMEDIATED');
    expect(await policyOf(repo.name)).toBeNull();

    await rollbackChange({ ctx: context(repo.arn), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(repo.name)).toBe(original);
  });

  it('changes nothing on a repository without a policy or with a trusted one', async () => {
    for (const repo of [await repositoryWith(null), await repositoryWith(policy(ciPushes()))]) {
      const before = await policyOf(repo.name);
      expect((await apply(repo.arn, uniqueName('change'))).status).toBe('NOT_APPLICABLE');
      expect(await policyOf(repo.name)).toBe(before);
    }
  });
});
