import { AwsClients } from '../../lib/aws/clients';
/**
 * A local stack of a test file's own, started in its worker: for tests that need
 * other rules or longer waits than the shared stack. Its handlers run in this
 * worker, so its settings cannot cross the shared stack's.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack';

export interface OwnStack {
  stack: LocalStack;
  s3: S3Client;
  sfn: SFNClient;
  audit: AuditStore;
}

export function useOwnLocalStack(options: LocalStackOptions): OwnStack {
  const own = {} as OwnStack;
  beforeAll(async () => {
    own.stack = await startLocalStack(options);
    own.s3 = new S3Client(own.stack.clientConfig);
    own.sfn = new SFNClient(own.stack.clientConfig);
    own.audit = new AuditStore(own.stack.auditTable, new AwsClients(own.stack.clientConfig));
  });
  afterAll(async () => {
    await own.stack?.stop();
  });
  return own;
}
