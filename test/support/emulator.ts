/**
 * For tests in worker processes: point this process's AWS clients (and the
 * lib modules that build their own) at the local stack started by globalSetup.
 */
import { inject } from 'vitest';
import type { LocalStackInfo } from './local-stack-setup';

export function useLocalStack(): LocalStackInfo & {
  clientConfig: { region: string; endpoint: string; forcePathStyle: true; credentials: { accessKeyId: string; secretAccessKey: string } };
} {
  const stack = inject('localStack');
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: stack.region,
    REMEDIATOR_AWS_ENDPOINT: stack.endpoint,
    REMEDIATOR_AUDIT_TABLE: stack.auditTable,
    REMEDIATOR_APPROVALS_TABLE: stack.approvalsTable,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  return {
    ...stack,
    clientConfig: { region: stack.region, endpoint: stack.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
  };
}
