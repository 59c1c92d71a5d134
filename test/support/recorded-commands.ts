/**
 * Records the SDK commands a control really sends, so that the contract test
 * can check them against the IAM actions the control declares (recorded, not
 * found by regex in the source). A ClientDecorator (lib/aws/clients.ts) adds an
 * `initialize` middleware to every client built for the recorder's scope; it
 * notes `context.clientName` / `context.commandName` of each call, which
 * `iamActionOf` maps to the IAM action that authorises it.
 */
import { expect } from 'vitest';
import { addClientDecorator, AwsClients, type ClientScope, type SdkClient } from '../../lib/aws/clients';
import type { ControlContext, CorrectiveControl } from '../../lib/controls/types';

/** The IAM service prefix of each SDK client. */
const SERVICE_PREFIX: Record<string, string> = {
  AccessAnalyzerClient: 'access-analyzer',
  DynamoDBClient: 'dynamodb',
  EC2Client: 'ec2',
  ECRClient: 'ecr',
  EFSClient: 'elasticfilesystem',
  IAMClient: 'iam',
  KMSClient: 'kms',
  LambdaClient: 'lambda',
  RDSClient: 'rds',
  S3Client: 's3',
  SecretsManagerClient: 'secretsmanager',
  SNSClient: 'sns',
  SQSClient: 'sqs',
  STSClient: 'sts',
};

/** Where the IAM action is not `<prefix>:<command name minus "Command">`. */
const EXCEPTIONS: Record<string, string> = {
  'S3Client:GetPublicAccessBlockCommand': 's3:GetBucketPublicAccessBlock',
  'S3Client:PutPublicAccessBlockCommand': 's3:PutBucketPublicAccessBlock',
  'S3Client:DeletePublicAccessBlockCommand': 's3:PutBucketPublicAccessBlock',
  'S3Client:DeleteBucketPolicyCommand': 's3:DeleteBucketPolicy',
  'S3Client:GetBucketAclCommand': 's3:GetBucketAcl',
  'S3Client:PutBucketAclCommand': 's3:PutBucketAcl',
  'S3Client:ListObjectsV2Command': 's3:ListBucket',
  'S3Client:HeadBucketCommand': 's3:ListBucket',
  'S3Client:DeleteBucketOwnershipControlsCommand': 's3:PutBucketOwnershipControls',
  'S3Client:GetBucketOwnershipControlsCommand': 's3:GetBucketOwnershipControls',
  'SQSClient:GetQueueUrlCommand': 'sqs:GetQueueUrl',
  'LambdaClient:GetFunctionUrlConfigCommand': 'lambda:GetFunctionUrlConfig',
  'LambdaClient:GetLayerVersionPolicyCommand': 'lambda:GetLayerVersionPolicy',
  'LambdaClient:RemoveLayerVersionPermissionCommand': 'lambda:RemoveLayerVersionPermission',
};

export function iamActionOf(clientName: string, commandName: string): string {
  const exception = EXCEPTIONS[`${clientName}:${commandName}`];
  if (exception) return exception;
  const prefix = SERVICE_PREFIX[clientName];
  if (!prefix) throw new Error(`no IAM service prefix known for ${clientName}: add it to test/support/recorded-commands.ts`);
  if (!commandName.endsWith('Command')) throw new Error(`"${commandName}" is not an SDK command name`);
  return `${prefix}:${commandName.slice(0, -'Command'.length)}`;
}

export interface RecordedCall {
  clientName: string;
  commandName: string;
}

export interface CommandRecorder {
  /** Every call sent by a client of this recorder, in order. */
  readonly calls: RecordedCall[];
  /** The IAM actions those calls need (sorted, unique). */
  actions(): string[];
  /** Clients that record (same configuration as `clients`, the recorder's own scope). */
  clientsLike(clients: AwsClients): AwsClients;
  /** The context with its clients replaced by recording ones. */
  record(ctx: ControlContext): ControlContext;
  /** Stop recording clients built from now on. */
  stop(): void;
}

type InitializeMiddleware = (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => Promise<unknown>;

/**
 * Start recording. Register it before the control's context builds its
 * clients: a decorator sees only clients built after it is added. Only clients
 * built through `record`/`clientsLike` are recorded (the audit store's DynamoDB
 * calls, for example, are not the control's).
 */
export function recordCommands(): CommandRecorder {
  const calls: RecordedCall[] = [];
  const scopes = new WeakSet<ClientScope>();
  const remove = addClientDecorator((client: SdkClient, scope: ClientScope) => {
    if (!scopes.has(scope)) return;
    const middleware: InitializeMiddleware = (next, context) => async (args) => {
      calls.push({ clientName: context.clientName ?? 'UnknownClient', commandName: context.commandName ?? 'UnknownCommand' });
      return next(args);
    };
    client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'remediatorRecordCommands' });
  });
  const clientsLike = (clients: AwsClients) => {
    const scope: ClientScope = { ...clients.scope };
    scopes.add(scope);
    return new AwsClients(clients.config, scope);
  };
  return {
    calls,
    actions: () => [...new Set(calls.map((c) => iamActionOf(c.clientName, c.commandName)))].sort(),
    clientsLike,
    record: (ctx) => ({ ...ctx, clients: clientsLike(ctx.clients) }),
    stop: () => void remove(),
  };
}

/** The contract: the control sent something, and nothing it sent needs an action it does not declare. */
export function expectWithinPermissions(recorder: CommandRecorder, control: CorrectiveControl): void {
  const actions = recorder.actions();
  expect(actions.length, `${control.id}: no command was recorded`).toBeGreaterThan(0);
  const undeclared = actions.filter((a) => !control.permissions.includes(a));
  expect(undeclared, `${control.id} sent commands whose IAM actions it does not declare`).toEqual([]);
}
