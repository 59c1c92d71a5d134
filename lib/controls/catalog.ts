/**
 * The corrective-control catalog: the facts about each control (its id, what it does, the resource
 * and finding types it handles, the IAM actions it calls), in priority order: the first control that
 * handles a finding is its default (lib/controls/select.ts). Facts only, no implementation and no AWS
 * SDK client: Classify Finding (triage), the IAM generators (iam/permissions.ts) and the deploy tests
 * read them without carrying the implementations. Each implementation (lib/controls/<id>.ts) takes
 * its facts from here (`controlFacts`), and lib/controls/registry.ts joins the two by id, so each fact
 * is stated once. Adding a control: an entry here, its module, a line in the registry, then
 * `npm run generate:iam`.
 */
import { ControlNotFoundError } from '../errors';
import { ACCESS_ANALYZER_CHECK_PERMISSIONS } from '../verify/access-analyzer-check-permissions';

export interface ControlFacts {
  id: string;
  description: string;
  handles: { resourceTypes: readonly string[]; findingTypes?: readonly string[] };
  /** IAM actions the control calls; the contract tests and the generated IAM policies rely on this list. */
  permissions: readonly string[];
}

/** Controls built on remove-external-statements.ts also ask Access Analyzer about the policy before writing it (deployed stack). */
const POLICY_CHECKS = ACCESS_ANALYZER_CHECK_PERMISSIONS;

export const CONTROL_CATALOG = [
  {
    id: 's3-deny-all-bucket-policy',
    description: 'Replace the bucket policy with deny-all (remediation and break-glass roles exempt) and block public access on the bucket.',
    handles: { resourceTypes: ['AWS::S3::Bucket'] },
    permissions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 's3:GetBucketAcl'],
  },
  {
    id: 'kms-remove-external-statements',
    description: 'Remove only the principals and statements of a KMS key policy that reach outside the zone of trust; keep the rest as it is.',
    handles: { resourceTypes: ['AWS::KMS::Key'] },
    permissions: [...POLICY_CHECKS, 'kms:GetKeyPolicy', 'kms:PutKeyPolicy'],
  },
  {
    id: 's3-remove-external-statements',
    description: 'Remove only the principals and statements of a bucket policy that reach outside the zone of trust; keep the rest as it is (Block Public Access and ACL weighed).',
    handles: { resourceTypes: ['AWS::S3::Bucket'] },
    permissions: [...POLICY_CHECKS, 's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketPublicAccessBlock', 's3:GetBucketAcl'],
  },
  {
    id: 's3-block-public-access',
    description: 'Turn on the four bucket-level Block Public Access settings; the bucket policy and ACL are left as they are.',
    handles: { resourceTypes: ['AWS::S3::Bucket'] },
    permissions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 's3:GetBucketPolicy', 's3:GetBucketAcl'],
  },
  {
    id: 's3-remove-public-acl-grants',
    description: 'Remove the bucket ACL grants to AllUsers and AuthenticatedUsers; keep the owner and every other grant.',
    handles: { resourceTypes: ['AWS::S3::Bucket'] },
    permissions: ['s3:GetBucketAcl', 's3:PutBucketAcl', 's3:GetBucketPolicy', 's3:GetBucketPublicAccessBlock'],
  },
  {
    id: 'iam-role-restrict-trust',
    description: 'Remove the principals outside the zone of trust from a role trust policy; keep every trusted principal. Never leaves a role trusting no one.',
    handles: { resourceTypes: ['AWS::IAM::Role'] },
    permissions: [...POLICY_CHECKS, 'iam:GetRole', 'iam:UpdateAssumeRolePolicy'],
  },
  {
    id: 'sqs-remove-external-statements',
    description: 'Remove only the principals and statements of an SQS queue policy that reach outside the zone of trust; keep the rest as it is.',
    handles: { resourceTypes: ['AWS::SQS::Queue'] },
    permissions: [...POLICY_CHECKS, 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes', 'sqs:SetQueueAttributes'],
  },
  {
    id: 'sns-remove-external-statements',
    description: 'Remove only the principals and statements of an SNS topic policy that reach outside the zone of trust; keep the rest as it is.',
    handles: { resourceTypes: ['AWS::SNS::Topic'] },
    permissions: [...POLICY_CHECKS, 'sns:GetTopicAttributes', 'sns:SetTopicAttributes'],
  },
  {
    id: 'secretsmanager-remove-external-statements',
    description: 'Remove only the principals and statements of a Secrets Manager secret policy that reach outside the zone of trust; delete the policy when nothing trusted remains.',
    handles: { resourceTypes: ['AWS::SecretsManager::Secret'] },
    permissions: [...POLICY_CHECKS, 'secretsmanager:DeleteResourcePolicy', 'secretsmanager:GetResourcePolicy', 'secretsmanager:PutResourcePolicy'],
  },
  {
    id: 'dynamodb-remove-external-statements',
    description: 'Remove only the principals and statements of a DynamoDB table or stream resource policy that reach outside the zone of trust; delete the policy when nothing trusted remains.',
    handles: { resourceTypes: ['AWS::DynamoDB::Table', 'AWS::DynamoDB::Stream'] },
    permissions: [...POLICY_CHECKS, 'dynamodb:DeleteResourcePolicy', 'dynamodb:GetResourcePolicy', 'dynamodb:PutResourcePolicy'],
  },
  {
    id: 'lambda-remove-external-permissions',
    description: 'Remove the Lambda function permissions that reach outside the zone of trust (RemovePermission by statement id) and switch a public function URL (AuthType NONE) to AWS_IAM; rollback re-adds them with AddPermission.',
    handles: { resourceTypes: ['AWS::Lambda::Function'] },
    permissions: ['lambda:AddPermission', 'lambda:GetFunctionUrlConfig', 'lambda:GetPolicy', 'lambda:RemovePermission', 'lambda:UpdateFunctionUrlConfig'],
  },
  {
    id: 'lambda-layer-remove-external-permissions',
    description: 'Remove the Lambda layer-version permissions that reach outside the zone of trust (RemoveLayerVersionPermission by statement id); rollback re-adds them with AddLayerVersionPermission.',
    handles: { resourceTypes: ['AWS::Lambda::LayerVersion'] },
    permissions: ['lambda:AddLayerVersionPermission', 'lambda:GetLayerVersionPolicy', 'lambda:RemoveLayerVersionPermission'],
  },
  {
    id: 'ecr-remove-external-statements',
    description: 'Remove only the principals and statements of an ECR repository policy that reach outside the zone of trust; delete the policy when nothing trusted remains.',
    handles: { resourceTypes: ['AWS::ECR::Repository'] },
    permissions: [...POLICY_CHECKS, 'ecr:DeleteRepositoryPolicy', 'ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy'],
  },
  {
    id: 'efs-remove-external-statements',
    description: 'Remove only the principals and statements of an EFS file system policy that reach outside the zone of trust; delete the policy when nothing trusted remains.',
    handles: { resourceTypes: ['AWS::EFS::FileSystem'] },
    permissions: [...POLICY_CHECKS, 'elasticfilesystem:DeleteFileSystemPolicy', 'elasticfilesystem:DescribeFileSystemPolicy', 'elasticfilesystem:PutFileSystemPolicy'],
  },
  {
    id: 'ec2-revoke-open-ingress',
    description: 'Revoke only the security group ingress rules open to 0.0.0.0/0 or ::/0 on the ports the finding names; keep every other rule.',
    handles: { resourceTypes: ['AWS::EC2::SecurityGroup'] },
    permissions: ['ec2:DescribeSecurityGroups', 'ec2:RevokeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupIngress'],
  },
  {
    id: 's3-require-tls',
    description: 'Add a statement denying every S3 request over plain HTTP (aws:SecureTransport false) to the bucket policy; keep the rest.',
    handles: { resourceTypes: ['AWS::S3::Bucket'] },
    permissions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
  },
  {
    id: 'iam-deactivate-access-key',
    description: "Set the IAM user's access keys named by the finding (or all of them) to Inactive; nothing is deleted, rollback reactivates them.",
    handles: { resourceTypes: ['AWS::IAM::User'] },
    permissions: ['iam:ListAccessKeys', 'iam:UpdateAccessKey'],
  },
  {
    id: 'iam-revoke-role-sessions',
    description: "Revoke the role's sessions issued until now: inline policy AWSRevokeOlderSessions denies everything to older tokens (aws:TokenIssueTime).",
    handles: { resourceTypes: ['AWS::IAM::Role'] },
    permissions: ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
  },
  {
    id: 'ec2-isolate-instance',
    description: "Isolate a compromised instance: every network interface moves to the VPC's quarantine security group (no ingress, no egress); rollback restores the original groups.",
    handles: { resourceTypes: ['AWS::EC2::Instance'] },
    permissions: ['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups', 'ec2:CreateSecurityGroup', 'ec2:CreateTags', 'ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:ModifyNetworkInterfaceAttribute'],
  },
  {
    id: 'ebs-snapshot-unshare',
    description: 'Stop sharing an EBS snapshot with the public and with accounts outside the zone of trust; keep shares inside it.',
    handles: { resourceTypes: ['AWS::EC2::Snapshot'] },
    permissions: ['ec2:DescribeSnapshotAttribute', 'ec2:ModifySnapshotAttribute'],
  },
  {
    id: 'rds-snapshot-unshare',
    description: 'Stop sharing an RDS DB or cluster snapshot with the public and with accounts outside the zone of trust; keep shares inside it.',
    handles: { resourceTypes: ['AWS::RDS::DBSnapshot', 'AWS::RDS::DBClusterSnapshot'] },
    permissions: ['rds:DescribeDBSnapshotAttributes', 'rds:ModifyDBSnapshotAttribute', 'rds:DescribeDBClusterSnapshotAttributes', 'rds:ModifyDBClusterSnapshotAttribute'],
  },
] as const satisfies readonly ControlFacts[];

/** The id of a control in the catalog. */
export type ControlId = (typeof CONTROL_CATALOG)[number]['id'];

const byId: ReadonlyMap<string, ControlFacts> = new Map(CONTROL_CATALOG.map((facts) => [facts.id, facts]));

/** The facts of a control named by a person or a file (a rule, a manual request); ControlNotFoundError when there is none. */
export function getControlFacts(id: string): ControlFacts {
  const facts = byId.get(id);
  if (!facts) {
    throw new ControlNotFoundError(`no corrective control "${id}"; known: ${[...byId.keys()].join(', ')}`, { context: { controlId: id } });
  }
  return facts;
}

/** The facts of a control, for its implementation: the id is checked when the code is compiled. */
export function controlFacts(id: ControlId): ControlFacts {
  return getControlFacts(id);
}

/** Every IAM action any control in the catalog needs (sorted, unique). */
export function allControlPermissions(): string[] {
  return [...new Set(CONTROL_CATALOG.flatMap((facts): readonly string[] => facts.permissions))].sort();
}
