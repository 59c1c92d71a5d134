import { AwsClients } from '../../lib/aws/clients';
import type { ControlContext } from '../../lib/controls/types';
import { FindingSchema } from '../../lib/finding';
import { uniqueName } from '../../local/fixtures';
import type { LocalStackInfo } from './local-stack-setup';

/** What a control gets for a fresh Access Analyzer finding about this resource, on the local stack. */
export function controlContextFor(stack: LocalStackInfo, resourceArn: string, resourceType: string, exempt: string[] = [stack.remediationRoleArn]): ControlContext {
  return {
    finding: FindingSchema.parse({
      id: uniqueName('finding'),
      source: 'access-analyzer',
      type: 'ExternalAccess',
      status: 'ACTIVE',
      severity: 'HIGH',
      resource: { arn: resourceArn, type: resourceType, accountId: stack.accountId, region: stack.region },
      observedAt: new Date().toISOString(),
      raw: { eventId: 'e', source: 'aws.access-analyzer' },
    }),
    zone: { accountIds: [stack.accountId] },
    exemptPrincipalArns: exempt,
    clients: new AwsClients({ region: stack.region, endpoint: stack.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
  };
}
