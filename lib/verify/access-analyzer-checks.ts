/**
 * Proof before write, asked of Access Analyzer (deployed stack only: the local
 * stack's emulator has no Access Analyzer). Two custom policy checks on the
 * policy a control is about to write:
 * - CheckNoPublicAccess: the new policy grants no public access (only for the
 *   resource types the API supports; other types are skipped, the local
 *   analyzer in lib/controls/proof.ts still checks them);
 * - CheckNoNewAccess: the new policy grants nothing the old one did not.
 * A FAIL stops the write with an UnsafeFixError carrying Access Analyzer's reasons.
 */
import {
  AccessAnalyzerClient,
  CheckNoNewAccessCommand,
  CheckNoPublicAccessCommand,
  type AccessCheckPolicyType,
  type AccessCheckResourceType,
  type ReasonSummary,
} from '@aws-sdk/client-accessanalyzer';
import type { AwsClients } from '../aws/clients';
import { toRemediatorError } from '../aws/errors';
import { UnsafeFixError } from '../errors';

/** The IAM actions these checks need. */
export { ACCESS_ANALYZER_CHECK_PERMISSIONS } from './access-analyzer-check-permissions';

/**
 * Finding resource types (CloudFormation) → CheckNoPublicAccess resource types.
 * From the API reference's list of valid values; a role is checked through its trust policy document.
 */
const PUBLIC_ACCESS_CHECK_TYPES: Readonly<Record<string, AccessCheckResourceType>> = {
  'AWS::DynamoDB::Table': 'AWS::DynamoDB::Table',
  'AWS::DynamoDB::Stream': 'AWS::DynamoDB::Stream',
  'AWS::EFS::FileSystem': 'AWS::EFS::FileSystem',
  'AWS::OpenSearchService::Domain': 'AWS::OpenSearchService::Domain',
  'AWS::Kinesis::Stream': 'AWS::Kinesis::Stream',
  'AWS::Kinesis::StreamConsumer': 'AWS::Kinesis::StreamConsumer',
  'AWS::KMS::Key': 'AWS::KMS::Key',
  'AWS::Lambda::Function': 'AWS::Lambda::Function',
  'AWS::S3::Bucket': 'AWS::S3::Bucket',
  'AWS::S3::AccessPoint': 'AWS::S3::AccessPoint',
  'AWS::S3Express::DirectoryBucket': 'AWS::S3Express::DirectoryBucket',
  'AWS::S3::Glacier': 'AWS::S3::Glacier',
  'AWS::SecretsManager::Secret': 'AWS::SecretsManager::Secret',
  'AWS::SNS::Topic': 'AWS::SNS::Topic',
  'AWS::SQS::Queue': 'AWS::SQS::Queue',
  'AWS::IAM::Role': 'AWS::IAM::AssumeRolePolicyDocument',
  'AWS::S3Tables::TableBucket': 'AWS::S3Tables::TableBucket',
  'AWS::ApiGateway::RestApi': 'AWS::ApiGateway::RestApi',
  'AWS::CodeArtifact::Domain': 'AWS::CodeArtifact::Domain',
  'AWS::Backup::BackupVault': 'AWS::Backup::BackupVault',
};

/** The CheckNoPublicAccess resource type for a finding's resource type, or null when the API cannot check it. */
export function publicAccessCheckType(resourceType: string): AccessCheckResourceType | null {
  return PUBLIC_ACCESS_CHECK_TYPES[resourceType] ?? null;
}

export type CheckOutcome = 'PASS' | 'SKIPPED';

function reasonsOf(reasons: ReasonSummary[] | undefined): { description: string; statementIndex?: number; statementId?: string }[] {
  return (reasons ?? []).map((r) => ({
    description: r.description ?? 'no description',
    ...(r.statementIndex !== undefined ? { statementIndex: r.statementIndex } : {}),
    ...(r.statementId !== undefined ? { statementId: r.statementId } : {}),
  }));
}

function refuse(check: string, result: { message?: string; reasons?: ReasonSummary[] }, resourceType: string): never {
  const reasons = reasonsOf(result.reasons);
  const why = reasons.map((r) => r.description).join('; ') || result.message || 'no reason given';
  throw new UnsafeFixError(`Access Analyzer ${check} failed for the planned ${resourceType} policy: ${why}`, {
    context: { check, message: result.message, reasons, resourceType },
  });
}

/** CheckNoPublicAccess on the policy about to be written. SKIPPED for resource types the API does not support. */
export async function checkNoPublicAccess(clients: AwsClients, policyText: string, resourceType: string): Promise<CheckOutcome> {
  const type = publicAccessCheckType(resourceType);
  if (type === null) return 'SKIPPED';
  const result = await clients
    .get(AccessAnalyzerClient)
    .send(new CheckNoPublicAccessCommand({ policyDocument: policyText, resourceType: type }))
    .catch((error: unknown) => {
      throw toRemediatorError(error, `asking Access Analyzer CheckNoPublicAccess (${type})`, { resourceType });
    });
  if (result.result !== 'PASS') refuse('CheckNoPublicAccess', result, resourceType);
  return 'PASS';
}

/** CheckNoNewAccess: the new policy grants nothing the old one did not. */
export async function checkNoNewAccess(
  clients: AwsClients,
  newPolicy: string,
  oldPolicy: string,
  policyType: AccessCheckPolicyType = 'RESOURCE_POLICY',
  resourceType = 'resource',
): Promise<CheckOutcome> {
  const result = await clients
    .get(AccessAnalyzerClient)
    .send(new CheckNoNewAccessCommand({ newPolicyDocument: newPolicy, existingPolicyDocument: oldPolicy, policyType }))
    .catch((error: unknown) => {
      throw toRemediatorError(error, 'asking Access Analyzer CheckNoNewAccess', { resourceType });
    });
  if (result.result !== 'PASS') refuse('CheckNoNewAccess', result, resourceType);
  return 'PASS';
}
