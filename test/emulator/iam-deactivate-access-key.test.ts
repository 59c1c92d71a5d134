/** iam-deactivate-access-key against the emulator's IAM, through the runner. */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { getControl } from '../../lib/controls/registry';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { FindingSchema } from '../../lib/finding';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const iam = new IAMClient(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const parsedState = (state: Record<string, string | null>) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v === null ? null : JSON.parse(v)]));
const CONTROL = 'iam-deactivate-access-key';

async function userWithKeys(count: number): Promise<{ userName: string; arn: string; keys: string[] }> {
  const userName = uniqueName('leaky-user');
  const created = await iam.send(new CreateUserCommand({ UserName: userName }));
  const keys: string[] = [];
  for (let i = 0; i < count; i += 1) keys.push((await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!.AccessKeyId!);
  return { userName, arn: created.User!.Arn!, keys };
}

const statuses = async (userName: string) =>
  Object.fromEntries(((await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status]));

function context(arn: string, labels: Record<string, string>): ControlContext {
  const base = controlContextFor(stack, arn, 'AWS::IAM::User');
  return { ...base, finding: FindingSchema.parse({ ...base.finding, source: 'guardduty', type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', labels }) };
}

async function apply(ctx: ControlContext) {
  const changeId = uniqueName('change');
  return { changeId, result: await applyChange({ controlId: CONTROL, ctx, store: audit, changeId, executionArn: `arn:x:${changeId}`, actor: 'slack:U123' }) };
}

describe('iam-deactivate-access-key on the emulator', () => {
  it('deactivates only the key the finding names, and reactivates it on rollback', async () => {
    const user = await userWithKeys(2);
    const [leaked, other] = user.keys as [string, string];
    const ctx = context(user.arn, { accessKeyId: leaked });
    expect((await verifyChange(CONTROL, ctx)).resolved).toBe(false);

    const { changeId, result } = await apply(ctx);

    expect(result.status).toBe('REMEDIATED');
    expect(await statuses(user.userName)).toEqual({ [leaked]: 'Inactive', [other]: 'Active' });
    expect(await verifyChange(CONTROL, ctx)).toMatchObject({ resolved: true });
    // The runner's contract: after the write, the live state is the plan's `after` (up to JSON formatting).
    expect(parsedState(await getControl(CONTROL).snapshot(ctx))).toEqual(parsedState((await audit.getChange(changeId))!.after));
    expect((await audit.getChange(changeId))?.before).toEqual({ accessKeys: JSON.stringify({ [leaked]: 'Active' }) });

    await rollbackChange({ ctx, store: audit, changeId, actor: 'auto' });
    expect(await statuses(user.userName)).toEqual({ [leaked]: 'Active', [other]: 'Active' });
  });

  it('deactivates every key of the user when the finding names none', async () => {
    const user = await userWithKeys(2);
    const { result } = await apply(context(user.arn, {}));
    expect(result.status).toBe('REMEDIATED');
    expect(Object.values(await statuses(user.userName))).toEqual(['Inactive', 'Inactive']);
  });

  it('is not applicable when the named key is not one of the user’s', async () => {
    const user = await userWithKeys(1);
    const { result } = await apply(context(user.arn, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }));
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(Object.values(await statuses(user.userName))).toEqual(['Active']);
  });
});
