import { ControlNotFoundError } from '../errors';
import type { Finding } from '../finding';
import { iamRoleRestrictTrust } from './iam-role-restrict-trust';
import { kmsRemoveExternalStatements } from './kms-remove-external-statements';
import { s3BlockPublicAccess } from './s3-block-public-access';
import { s3DenyAllBucketPolicy } from './s3-deny-all-bucket-policy';
import { s3RemoveExternalStatements } from './s3-remove-external-statements';
import { s3RemovePublicAclGrants } from './s3-remove-public-acl-grants';
import { snsRemoveExternalStatements } from './sns-remove-external-statements';
import { sqsRemoveExternalStatements } from './sqs-remove-external-statements';
import { dynamodbRemoveExternalStatements } from './dynamodb-remove-external-statements';
import { ecrRemoveExternalStatements } from './ecr-remove-external-statements';
import { efsRemoveExternalStatements } from './efs-remove-external-statements';
import { lambdaLayerRemoveExternalPermissions } from './lambda-layer-remove-external-permissions';
import { lambdaRemoveExternalPermissions } from './lambda-remove-external-permissions';
import { secretsmanagerRemoveExternalStatements } from './secretsmanager-remove-external-statements';
import { ebsSnapshotUnshare } from './ebs-snapshot-unshare';
import { ec2IsolateInstance } from './ec2-isolate-instance';
import { ec2RevokeOpenIngress } from './ec2-revoke-open-ingress';
import { iamDeactivateAccessKey } from './iam-deactivate-access-key';
import { iamRevokeRoleSessions } from './iam-revoke-role-sessions';
import { MAPPING_ONLY_CONTROL_IDS, mappedSourceOf, mappingFor } from './mapping';
import { rdsSnapshotUnshare } from './rds-snapshot-unshare';
import { s3RequireTls } from './s3-require-tls';
import type { CorrectiveControl } from './types';

/** The catalog, in priority order: the first control that handles a finding is its default. */
export const CONTROLS: readonly CorrectiveControl[] = [
  s3DenyAllBucketPolicy,
  kmsRemoveExternalStatements,
  s3RemoveExternalStatements,
  s3BlockPublicAccess,
  s3RemovePublicAclGrants,
  iamRoleRestrictTrust,
  sqsRemoveExternalStatements,
  snsRemoveExternalStatements,
  secretsmanagerRemoveExternalStatements,
  dynamodbRemoveExternalStatements,
  lambdaRemoveExternalPermissions,
  lambdaLayerRemoveExternalPermissions,
  ecrRemoveExternalStatements,
  efsRemoveExternalStatements,
  ec2RevokeOpenIngress,
  s3RequireTls,
  iamDeactivateAccessKey,
  iamRevokeRoleSessions,
  ec2IsolateInstance,
  ebsSnapshotUnshare,
  rdsSnapshotUnshare,
];

const byId = new Map(CONTROLS.map((control) => [control.id, control]));

export function getControl(id: string): CorrectiveControl {
  const control = byId.get(id);
  if (!control) {
    throw new ControlNotFoundError(`no corrective control "${id}"; known: ${[...byId.keys()].join(', ')}`, { context: { controlId: id } });
  }
  return control;
}

export function controlHandles(control: CorrectiveControl, finding: Finding): boolean {
  if (!control.handles.resourceTypes.includes(finding.resource.type)) return false;
  return control.handles.findingTypes === undefined || control.handles.findingTypes.includes(finding.type);
}

/**
 * The default control for a finding. Config and GuardDuty findings (directly or through Security
 * Hub) get the control lib/controls/mapping.ts names for their rule or type, or none: an unmapped
 * rule or type is notified, never guessed from the resource type. Every other finding gets the first
 * registered control that handles it, skipping the controls only the mapping chooses.
 */
export function findControlFor(finding: Finding): CorrectiveControl | undefined {
  if (mappedSourceOf(finding)) {
    const entry = mappingFor(finding);
    return entry ? byId.get(entry.controlId) : undefined;
  }
  return CONTROLS.find((control) => !MAPPING_ONLY_CONTROL_IDS.has(control.id) && controlHandles(control, finding));
}

/** Every IAM action any registered control needs (sorted, unique). */
export function allControlPermissions(): string[] {
  return [...new Set(CONTROLS.flatMap((control) => control.permissions))].sort();
}
