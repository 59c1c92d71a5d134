import { AwsClients } from '../../lib/aws/clients';
/** The KMS minimal-fix control against the emulator's KMS, through the runner. */
import { CreateKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { crossAccountKeyPolicy, uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';
import { expectWithinPermissions, recordCommands } from '../support/recorded-commands';
import { getControl } from '../../lib/controls/registry';

const stack = useLocalStack();
const recorder = recordCommands();
const kms = new KMSClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 'kms-remove-external-statements';

async function keyWith(policy: string): Promise<string> {
  const created = await kms.send(new CreateKeyCommand({ Policy: policy, Description: 'remediator test key' }));
  return created.KeyMetadata!.Arn!;
}

const policyOf = async (keyArn: string) => (await kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }))).Policy;

const context = (keyArn: string): ControlContext => recorder.record(controlContextFor(stack, keyArn, 'AWS::KMS::Key'));

describe('kms-remove-external-statements on the emulator', () => {
  it('removes only the external account, keeps every trusted statement, and rolls back byte for byte', async () => {
    const original = crossAccountKeyPolicy(stack.accountId);
    const keyArn = await keyWith(original);
    expect((await verifyChange(CONTROL, context(keyArn))).resolved).toBe(false);

    const changeId = uniqueName('change');
    const result = await applyChange({ controlId: CONTROL, ctx: context(keyArn), store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' });

    expect(result.status).toBe('REMEDIATED');
    expect(result.summary).toMatch(/removed principal account 444455556666/);
    const fixed = JSON.parse((await policyOf(keyArn))!);
    const originalDoc = JSON.parse(original);
    expect(fixed.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(originalDoc.Statement.map((s: { Sid: string }) => s.Sid));
    expect(fixed.Statement[0]).toEqual(originalDoc.Statement[0]);
    expect(fixed.Statement[1].Principal.AWS).toEqual([`arn:aws:iam::${stack.accountId}:role/app`]);
    expect(await verifyChange(CONTROL, context(keyArn))).toMatchObject({ resolved: true });
    expect((await audit.getChange(changeId))?.before.policy).toBe(original);

    await rollbackChange({ ctx: context(keyArn), store: audit, changeId, actor: 'auto' });
    expect(await policyOf(keyArn)).toBe(original);
  });

  it('changes nothing on a key that only the zone of trust can use', async () => {
    const internal = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stack.accountId}:root` }, Action: 'kms:*', Resource: '*' }],
    });
    const keyArn = await keyWith(internal);
    const changeId = uniqueName('change');
    const result = await applyChange({ controlId: CONTROL, ctx: context(keyArn), store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'auto' });
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(await policyOf(keyArn)).toBe(internal);
  });

  it('sends only commands whose IAM actions it declares', () => {
    expectWithinPermissions(recorder, getControl(CONTROL));
  });
});
