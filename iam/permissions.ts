import { CONTROL_CATALOG } from '../lib/controls/catalog';

/** A resource ARN, or a CloudFormation Fn::Sub that makes one at deploy time. */
type ResourceRef = string | { 'Fn::Sub': string };

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: ResourceRef[] }[];
}

/**
 * The policy serverless.yml attaches to the workflow role for corrective
 * controls: one statement per AWS service with exactly the actions the
 * controls of the catalog (lib/controls/catalog.ts) declare, never a wildcard action.
 */
export function controlPermissionsDocument(): PolicyDocument {
  const byService = new Map<string, Set<string>>();
  for (const control of CONTROL_CATALOG) {
    for (const action of control.permissions) {
      const service = action.split(':')[0] ?? action;
      if (!byService.has(service)) byService.set(service, new Set());
      byService.get(service)!.add(action);
    }
  }
  return {
    Version: '2012-10-17',
    Statement: [...byService.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, actions]) => ({
        Sid: `Controls${service.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`,
        Effect: 'Allow' as const,
        Action: [...actions].sort(),
        Resource: RESOURCES[service] ?? ['*'],
      })),
  };
}

/** The narrowest resource each service's actions accept when the resources are only known at run time. */
const RESOURCES: Record<string, ResourceRef[]> = {
  s3: ['arn:aws:s3:::*'],
  // Keys of this account only (Remediator changes its own account's resources).
  kms: [{ 'Fn::Sub': 'arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*' }],
};
