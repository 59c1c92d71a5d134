/**
 * Contract over the whole registry (unit part). The emulator part is in each
 * control's emulator test: the commands it really sends, recorded by
 * test/support/recorded-commands.ts, must be within its declared permissions.
 */
import { S3Client, GetBucketPolicyCommand, GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import { CONTROLS } from '../../../lib/controls/registry';
import { iamActionOf, recordCommands } from '../../support/recorded-commands';

describe('the control registry contract', () => {
  it('has unique control ids', () => {
    const ids = CONTROLS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(CONTROLS.map((c) => [c.id, c] as const))('%s declares its permissions as unique service:Action pairs', (_id, control) => {
    expect(control.permissions.length).toBeGreaterThan(0);
    for (const action of control.permissions) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
    expect(new Set(control.permissions).size).toBe(control.permissions.length);
  });

  it('keeps s3-deny-all-bucket-policy the default for S3 buckets', () => {
    expect(CONTROLS.find((c) => c.handles.resourceTypes.includes('AWS::S3::Bucket'))?.id).toBe('s3-deny-all-bucket-policy');
  });
});

describe('mapping SDK commands to IAM actions', () => {
  it('uses the service prefix and the command name, with the documented exceptions', () => {
    expect(iamActionOf('KMSClient', 'PutKeyPolicyCommand')).toBe('kms:PutKeyPolicy');
    expect(iamActionOf('S3Client', 'GetPublicAccessBlockCommand')).toBe('s3:GetBucketPublicAccessBlock');
    expect(iamActionOf('S3Client', 'DeletePublicAccessBlockCommand')).toBe('s3:PutBucketPublicAccessBlock');
    expect(iamActionOf('AccessAnalyzerClient', 'CheckNoNewAccessCommand')).toBe('access-analyzer:CheckNoNewAccess');
    expect(iamActionOf('SQSClient', 'GetQueueUrlCommand')).toBe('sqs:GetQueueUrl');
  });

  it('refuses a client it has no prefix for, rather than guessing', () => {
    expect(() => iamActionOf('MysteryClient', 'DoCommand')).toThrow(/no IAM service prefix/);
  });
});

describe('the command recorder', () => {
  it('records the commands sent by its own clients only, without the network', async () => {
    const recorder = recordCommands();
    try {
      const config = { region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
      const recorded = recorder.clientsLike(new AwsClients(config)).get(S3Client);
      const other = new AwsClients(config).get(S3Client);
      // Answer before anything leaves the process: the recorder sits at 'initialize', before this.
      for (const client of [recorded, other]) client.middlewareStack.add(() => async () => ({ output: { $metadata: {} }, response: {} }), { step: 'build' });
      await recorded.send(new GetBucketPolicyCommand({ Bucket: 'b' }));
      await recorded.send(new GetPublicAccessBlockCommand({ Bucket: 'b' }));
      await other.send(new GetBucketPolicyCommand({ Bucket: 'b' }));
      expect(recorder.calls).toEqual([
        { clientName: 'S3Client', commandName: 'GetBucketPolicyCommand' },
        { clientName: 'S3Client', commandName: 'GetPublicAccessBlockCommand' },
      ]);
      expect(recorder.actions()).toEqual(['s3:GetBucketPolicy', 's3:GetBucketPublicAccessBlock']);
    } finally {
      recorder.stop();
    }
  });
});
