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

export function findControlFor(finding: Finding): CorrectiveControl | undefined {
  return CONTROLS.find((control) => controlHandles(control, finding));
}

/** Every IAM action any registered control needs (sorted, unique). */
export function allControlPermissions(): string[] {
  return [...new Set(CONTROLS.flatMap((control) => control.permissions))].sort();
}
