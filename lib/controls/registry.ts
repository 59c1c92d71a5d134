/**
 * The implementations of the catalog's controls (lib/controls/catalog.ts), joined by id. Only what
 * runs a control imports this module (the runner, the CLI's plan and run): it carries every
 * control's AWS SDK client. Deciding which control a finding gets needs the catalog alone
 * (lib/controls/select.ts).
 */
import { CONTROL_CATALOG, getControlFacts, type ControlId } from './catalog';
import { dynamodbRemoveExternalStatements } from './dynamodb-remove-external-statements';
import { ebsSnapshotUnshare } from './ebs-snapshot-unshare';
import { ec2IsolateInstance } from './ec2-isolate-instance';
import { ec2RevokeOpenIngress } from './ec2-revoke-open-ingress';
import { ecrRemoveExternalStatements } from './ecr-remove-external-statements';
import { efsRemoveExternalStatements } from './efs-remove-external-statements';
import { iamDeactivateAccessKey } from './iam-deactivate-access-key';
import { iamRevokeRoleSessions } from './iam-revoke-role-sessions';
import { iamRoleRestrictTrust } from './iam-role-restrict-trust';
import { kmsRemoveExternalStatements } from './kms-remove-external-statements';
import { lambdaLayerRemoveExternalPermissions } from './lambda-layer-remove-external-permissions';
import { lambdaRemoveExternalPermissions } from './lambda-remove-external-permissions';
import { rdsSnapshotUnshare } from './rds-snapshot-unshare';
import { s3BlockPublicAccess } from './s3-block-public-access';
import { s3DenyAllBucketPolicy } from './s3-deny-all-bucket-policy';
import { s3RemoveExternalStatements } from './s3-remove-external-statements';
import { s3RemovePublicAclGrants } from './s3-remove-public-acl-grants';
import { s3RequireTls } from './s3-require-tls';
import { secretsmanagerRemoveExternalStatements } from './secretsmanager-remove-external-statements';
import { snsRemoveExternalStatements } from './sns-remove-external-statements';
import { sqsRemoveExternalStatements } from './sqs-remove-external-statements';
import type { CorrectiveControl } from './types';

/** One implementation per catalog id: a control missing here, or an id the catalog lacks, does not compile. */
export const IMPLEMENTATIONS: Readonly<Record<ControlId, CorrectiveControl>> = {
  'dynamodb-remove-external-statements': dynamodbRemoveExternalStatements,
  'ebs-snapshot-unshare': ebsSnapshotUnshare,
  'ec2-isolate-instance': ec2IsolateInstance,
  'ec2-revoke-open-ingress': ec2RevokeOpenIngress,
  'ecr-remove-external-statements': ecrRemoveExternalStatements,
  'efs-remove-external-statements': efsRemoveExternalStatements,
  'iam-deactivate-access-key': iamDeactivateAccessKey,
  'iam-revoke-role-sessions': iamRevokeRoleSessions,
  'iam-role-restrict-trust': iamRoleRestrictTrust,
  'kms-remove-external-statements': kmsRemoveExternalStatements,
  'lambda-layer-remove-external-permissions': lambdaLayerRemoveExternalPermissions,
  'lambda-remove-external-permissions': lambdaRemoveExternalPermissions,
  'rds-snapshot-unshare': rdsSnapshotUnshare,
  's3-block-public-access': s3BlockPublicAccess,
  's3-deny-all-bucket-policy': s3DenyAllBucketPolicy,
  's3-remove-external-statements': s3RemoveExternalStatements,
  's3-remove-public-acl-grants': s3RemovePublicAclGrants,
  's3-require-tls': s3RequireTls,
  'secretsmanager-remove-external-statements': secretsmanagerRemoveExternalStatements,
  'sns-remove-external-statements': snsRemoveExternalStatements,
  'sqs-remove-external-statements': sqsRemoveExternalStatements,
};

/** Every control, in the catalog's priority order. */
export const CONTROLS: readonly CorrectiveControl[] = CONTROL_CATALOG.map((facts) => IMPLEMENTATIONS[facts.id]);

/** The control to run; ControlNotFoundError (naming the known ids) when the catalog has none by that id. */
export function getControl(id: string): CorrectiveControl {
  return IMPLEMENTATIONS[getControlFacts(id).id as ControlId];
}
