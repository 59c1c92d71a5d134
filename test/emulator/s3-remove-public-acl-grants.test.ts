/** s3-remove-public-acl-grants against the emulator's S3, through the runner: public grants go, owner and other grants stay, rollback restores the exact ACL. */
import { CreateBucketCommand, GetBucketAclCommand, PutBucketAclCommand, S3Client, type Grant } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { getControl } from '../../lib/controls/registry';
import { applyChange, rollbackChange, verifyChange } from '../../lib/controls/runner';
import type { ControlContext } from '../../lib/controls/types';
import { uniqueName } from '../../local/fixtures';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';
import { expectWithinPermissions, recordCommands } from '../support/recorded-commands';

const stack = useLocalStack();
const recorder = recordCommands();
const s3 = new S3Client(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const CONTROL = 's3-remove-public-acl-grants';
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

const context = (bucket: string): ControlContext => recorder.record(controlContextFor(stack, `arn:aws:s3:::${bucket}`, 'AWS::S3::Bucket'));
const aclOf = (bucket: string) => s3.send(new GetBucketAclCommand({ Bucket: bucket })).then(({ Owner, Grants }) => ({ Owner, Grants }));

async function bucketWithGrants(extra: Grant[]): Promise<string> {
  const bucket = uniqueName('ctl-acl');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const { Owner } = await aclOf(bucket);
  const grants: Grant[] = [{ Grantee: { Type: 'CanonicalUser', ID: Owner!.ID! }, Permission: 'FULL_CONTROL' }, ...extra];
  await s3.send(new PutBucketAclCommand({ Bucket: bucket, AccessControlPolicy: { Owner, Grants: grants } }));
  return bucket;
}

async function apply(bucket: string) {
  const changeId = uniqueName('change');
  const result = await applyChange({ controlId: CONTROL, ctx: context(bucket), store: audit, changeId, executionArn: `arn:aws:states:::execution:x:${changeId}`, actor: 'auto' });
  return { changeId, result };
}

describe('s3-remove-public-acl-grants on the emulator', () => {
  it('removes the AllUsers and AuthenticatedUsers grants, keeps the owner and the log delivery grant, and rolls back to the exact ACL', async () => {
    const bucket = await bucketWithGrants([
      { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
      { Grantee: { Type: 'Group', URI: LOG_DELIVERY }, Permission: 'WRITE' },
      { Grantee: { Type: 'Group', URI: AUTHENTICATED }, Permission: 'READ_ACP' },
    ]);
    const original = await aclOf(bucket);
    expect((await verifyChange(CONTROL, context(bucket))).resolved).toBe(false);

    const { changeId, result } = await apply(bucket);

    expect(result.status).toBe('REMEDIATED');
    expect(result.summary).toMatch(/READ to AllUsers, READ_ACP to AuthenticatedUsers/);
    const fixed = await aclOf(bucket);
    expect(fixed.Owner).toEqual(original.Owner);
    expect(fixed.Grants?.map((g) => g.Grantee?.URI ?? g.Grantee?.ID)).toEqual([original.Owner!.ID, LOG_DELIVERY]);
    const record = await audit.getChange(changeId);
    expect(JSON.parse(record!.before.acl!)).toEqual(original);
    expect(await getControl(CONTROL).snapshot(context(bucket))).toEqual(record?.after);
    expect(await verifyChange(CONTROL, context(bucket))).toMatchObject({ resolved: true });

    await rollbackChange({ ctx: context(bucket), store: audit, changeId, actor: 'auto' });
    expect(await aclOf(bucket)).toEqual(original);
    expect(await getControl(CONTROL).snapshot(context(bucket))).toEqual(record?.before);
  });

  it('changes nothing on a private ACL', async () => {
    const bucket = await bucketWithGrants([]);
    const before = await aclOf(bucket);
    const { result } = await apply(bucket);
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(await aclOf(bucket)).toEqual(before);
  });

  it('sends only commands whose IAM actions it declares', () => {
    expectWithinPermissions(recorder, getControl(CONTROL));
    expect(recorder.actions()).toEqual(expect.arrayContaining(['s3:GetBucketAcl', 's3:PutBucketAcl']));
  });
});
