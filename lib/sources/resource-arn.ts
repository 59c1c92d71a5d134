/**
 * Resource ARNs: parse them, tell which resource type they name, and build them
 * from the ids that Config and GuardDuty report. One table, keyed by service,
 * answers for every resource type Remediator supports; the helpers return a
 * result (never throw) so that each normalizer can name its own source and field.
 * `parseResourceArn` is the throwing, partition-checked form that corrective
 * controls use to build their API input.
 */
import { InvalidEventError, UnsupportedEventError } from '../errors';

/** The partition a deployment runs in unless told otherwise. */
export const DEFAULT_PARTITION = 'aws';

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the fifth colon, e.g. `role/path/name` or `function:name`. */
  resource: string;
}

/**
 * A resource ARN taken apart, checked against the deployment's partition: what a corrective
 * control builds its API input from (never from a prefix it strips off a string).
 */
export interface ResourceArn {
  arn: string;
  partition: string;
  service: string;
  /** The region the ARN carries; '' for S3 buckets and IAM, whose ARNs carry none. */
  region: string;
  /** The account the ARN carries; '' for S3 buckets (and snapshots as Access Analyzer names them). */
  accountId: string;
  /** CloudFormation-style type, e.g. AWS::S3::Bucket. */
  resourceType: string;
  /** What the service's API calls the resource: bucket name, role or user name, key id, function name, queue name, … */
  resourceId: string;
  /** For S3 buckets (general purpose and directory): the bucket name, as the S3 API takes it. */
  bucketName?: string;
}

/** What Finding.resource holds. */
export interface ResourceIdentity {
  arn: string;
  /** CloudFormation-style type, e.g. AWS::S3::Bucket. */
  type: string;
  accountId: string;
  region: string;
  /** The source named the resource only by an id, kept in `arn` as given (see Finding.resource.idOnly). */
  idOnly?: true;
}

export type ArnResult =
  | { ok: true; resource: ResourceIdentity }
  /** `unsupported`: a well-formed ARN of a type Remediator does not handle; otherwise the ARN is malformed. */
  | { ok: false; unsupported: boolean; problem: string };

interface ArnRule {
  type: string;
  service: string;
  /** Matches ParsedArn.resource; the named group `id` (else the whole match) is the resource id. */
  resource: RegExp;
  /** What the ARN must leave empty: S3 bucket ARNs carry neither region nor account, IAM ARNs no region. */
  omits?: { region: boolean; account: boolean };
  /** Builds the ARN from the id that Config reports as `resourceId` (when that id is not an ARN already). */
  fromId?: (id: string, where: { partition: string; accountId: string; region: string }) => string | undefined;
}

const NAME = String.raw`[A-Za-z0-9_+=,.@-]`;

/** Every resource type Remediator can name, by service. Order within a service does not matter: the patterns are disjoint. */
const ARN_RULES: readonly ArnRule[] = [
  {
    type: 'AWS::S3::Bucket',
    service: 's3',
    // Today's names are 3-63 of [a-z0-9.-]; legacy us-east-1 buckets (and GuardDuty's sample findings) use capitals and underscores.
    resource: /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/,
    omits: { region: true, account: true },
    fromId: (id, { partition }) => `arn:${partition}:s3:::${id}`,
  },
  { type: 'AWS::S3Express::DirectoryBucket', service: 's3express', resource: /^bucket\/(?<id>[a-z0-9][a-z0-9.-]*--[a-z0-9-]+--x-s3)$/ },
  {
    type: 'AWS::IAM::Role',
    service: 'iam',
    resource: new RegExp(`^role/(?:[\\x21-\\x7e]*/)?(?<id>${NAME}{1,64})$`),
    omits: { region: true, account: false },
  },
  {
    type: 'AWS::IAM::User',
    service: 'iam',
    resource: new RegExp(`^user/(?:[\\x21-\\x7e]*/)?(?<id>${NAME}{1,64})$`),
    omits: { region: true, account: false },
  },
  {
    type: 'AWS::KMS::Key',
    service: 'kms',
    resource: /^key\/(?<id>(?:mrk-)?[A-Za-z0-9-]{8,})$/,
    fromId: (id, w) => `arn:${w.partition}:kms:${w.region}:${w.accountId}:key/${id}`,
  },
  {
    type: 'AWS::Lambda::Function',
    service: 'lambda',
    resource: /^function:(?<id>[A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9$_-]{1,128})?$/,
    fromId: (id, w) => `arn:${w.partition}:lambda:${w.region}:${w.accountId}:function:${id}`,
  },
  { type: 'AWS::Lambda::LayerVersion', service: 'lambda', resource: /^layer:(?<id>[A-Za-z0-9_-]{1,140})(?::\d+)?$/ },
  {
    type: 'AWS::SQS::Queue',
    service: 'sqs',
    resource: /^[A-Za-z0-9_-]{1,80}(?:\.fifo)?$/,
    fromId: (id, w) => {
      // Config names a queue by its URL: https://sqs.<region>.amazonaws.com/<account>/<name>
      const url = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(\d{12})\/([A-Za-z0-9_.-]{1,85})$/.exec(id);
      if (url) return `arn:${w.partition}:sqs:${url[1]}:${url[2]}:${url[3]}`;
      return `arn:${w.partition}:sqs:${w.region}:${w.accountId}:${id}`;
    },
  },
  {
    type: 'AWS::SNS::Topic',
    service: 'sns',
    resource: /^[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/,
    fromId: (id, w) => `arn:${w.partition}:sns:${w.region}:${w.accountId}:${id}`,
  },
  { type: 'AWS::SecretsManager::Secret', service: 'secretsmanager', resource: /^secret:(?<id>[A-Za-z0-9/_+=.@-]{1,512})$/ },
  {
    type: 'AWS::EC2::Snapshot',
    service: 'ec2',
    resource: /^snapshot\/(?<id>snap-[0-9a-f]{8,17})$/,
    fromId: (id, w) => `arn:${w.partition}:ec2:${w.region}:${w.accountId}:snapshot/${id}`,
  },
  {
    type: 'AWS::EC2::Instance',
    service: 'ec2',
    resource: /^instance\/(?<id>i-[0-9a-f]{8,17})$/,
    fromId: (id, w) => `arn:${w.partition}:ec2:${w.region}:${w.accountId}:instance/${id}`,
  },
  {
    type: 'AWS::EC2::SecurityGroup',
    service: 'ec2',
    resource: /^security-group\/(?<id>sg-[0-9a-f]{8,17})$/,
    fromId: (id, w) => `arn:${w.partition}:ec2:${w.region}:${w.accountId}:security-group/${id}`,
  },
  {
    type: 'AWS::EC2::Volume',
    service: 'ec2',
    resource: /^volume\/(?<id>vol-[0-9a-f]{8,17})$/,
    fromId: (id, w) => `arn:${w.partition}:ec2:${w.region}:${w.accountId}:volume/${id}`,
  },
  { type: 'AWS::RDS::DBSnapshot', service: 'rds', resource: /^snapshot:(?<id>[A-Za-z][A-Za-z0-9:-]{0,254})$/ },
  { type: 'AWS::RDS::DBClusterSnapshot', service: 'rds', resource: /^cluster-snapshot:(?<id>[A-Za-z][A-Za-z0-9:-]{0,254})$/ },
  {
    type: 'AWS::ECR::Repository',
    service: 'ecr',
    resource: /^repository\/(?<id>[a-z0-9][a-z0-9._/-]{0,255})$/,
    fromId: (id, w) => `arn:${w.partition}:ecr:${w.region}:${w.accountId}:repository/${id}`,
  },
  {
    type: 'AWS::EFS::FileSystem',
    service: 'elasticfilesystem',
    resource: /^file-system\/(?<id>fs-[0-9a-f]{8,40})$/,
    fromId: (id, w) => `arn:${w.partition}:elasticfilesystem:${w.region}:${w.accountId}:file-system/${id}`,
  },
  {
    type: 'AWS::DynamoDB::Table',
    service: 'dynamodb',
    resource: /^table\/(?<id>[A-Za-z0-9_.-]{3,255})$/,
    fromId: (id, w) => `arn:${w.partition}:dynamodb:${w.region}:${w.accountId}:table/${id}`,
  },
  { type: 'AWS::DynamoDB::Stream', service: 'dynamodb', resource: /^table\/[A-Za-z0-9_.-]{3,255}\/stream\/[A-Za-z0-9:._-]{1,64}$/ },
];

/** Every resource type the helpers can name. */
export const SUPPORTED_RESOURCE_TYPES: readonly string[] = ARN_RULES.map((rule) => rule.type);

/** The types whose ARN can be built from a name or id (what AWS Config reports as `resourceId`). */
export const TYPES_NAMED_BY_ID: readonly string[] = ARN_RULES.filter((rule) => rule.fromId !== undefined).map((rule) => rule.type);

const RULES_BY_TYPE: ReadonlyMap<string, ArnRule> = new Map(ARN_RULES.map((rule) => [rule.type, rule]));

const PARTITION = /^aws(?:-cn|-us-gov|-iso(?:-[a-z])?)?$/;
const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
/** Longer than any ARN AWS issues: a guard against huge strings, not a rule of its own. */
const MAX_ARN_LENGTH = 2048;

/** Splits an ARN into its six parts; undefined when it is not one (too short, bad partition, region or account). */
export function parseArn(arn: string): ParsedArn | undefined {
  if (typeof arn !== 'string' || arn.length > MAX_ARN_LENGTH) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', accountId = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (!PARTITION.test(partition) || !/^[a-z0-9-]+$/.test(service) || resource.length === 0) return undefined;
  if (region !== '' && !REGION.test(region)) return undefined;
  if (accountId !== '' && !ACCOUNT.test(accountId)) return undefined;
  return { partition, service, region, accountId, resource };
}

/** A resource ARN taken apart, or why not: `unsupported` for a well-formed ARN Remediator does not handle. */
export type ResourceArnResult = { ok: true; arn: ResourceArn } | { ok: false; unsupported: boolean; problem: string };

/**
 * Takes a resource ARN apart (never throws): its type from the table, its resource id, and the
 * checks that hold for every source: the ARN is complete, its partition is the deployment's
 * (when `partition` is given), and a type whose ARNs carry no region or account (S3 buckets,
 * IAM) carries none. With `expectedType`, the ARN must be an ARN of that type.
 */
export function classifyResourceArn(arn: string, options: { expectedType?: string; partition?: string } = {}): ResourceArnResult {
  const parsed = parseArn(arn);
  if (!parsed) {
    return { ok: false, unsupported: false, problem: `"${truncate(arn)}" is not a complete ARN (arn:partition:service:region:account:resource)` };
  }
  if (options.partition !== undefined && parsed.partition !== options.partition) {
    return {
      ok: false,
      unsupported: true,
      problem: `"${truncate(arn)}" is in partition ${parsed.partition}; this deployment acts in partition ${options.partition} only`,
    };
  }
  const expected = options.expectedType === undefined ? undefined : RULES_BY_TYPE.get(options.expectedType);
  if (options.expectedType !== undefined && !expected) {
    return { ok: false, unsupported: true, problem: `resource type "${options.expectedType}" is not one Remediator supports` };
  }
  const candidates = expected ? [expected] : ARN_RULES.filter((rule) => rule.service === parsed.service);
  const rule = candidates.find((candidate) => candidate.service === parsed.service && candidate.resource.test(parsed.resource));
  if (!rule) {
    if (expected) return { ok: false, unsupported: false, problem: `"${truncate(arn)}" is not an ${expected.type} ARN` };
    const known = ARN_RULES.some((candidate) => candidate.service === parsed.service);
    return {
      ok: false,
      unsupported: true,
      problem: known
        ? `"${truncate(arn)}" names a ${parsed.service} resource of a type Remediator does not support`
        : `"${truncate(arn)}" names a resource of service "${parsed.service}", which Remediator does not support`,
    };
  }
  if (rule.omits?.region && parsed.region !== '') {
    return { ok: false, unsupported: false, problem: `"${truncate(arn)}" carries a region, which an ${rule.type} ARN never does` };
  }
  if (rule.omits?.account && parsed.accountId !== '') {
    return { ok: false, unsupported: false, problem: `"${truncate(arn)}" carries an account, which an ${rule.type} ARN never does` };
  }
  const resourceId = rule.resource.exec(parsed.resource)?.groups?.id ?? parsed.resource;
  const bucket = rule.type === 'AWS::S3::Bucket' || rule.type === 'AWS::S3Express::DirectoryBucket' ? { bucketName: resourceId } : {};
  return {
    ok: true,
    arn: { arn, partition: parsed.partition, service: parsed.service, region: parsed.region, accountId: parsed.accountId, resourceType: rule.type, resourceId, ...bucket },
  };
}

/**
 * The resource ARN taken apart, for a corrective control to build its API input from.
 * Throws UnsupportedEventError (another partition, a type Remediator does not handle) or
 * InvalidEventError (not an ARN, or one its type never has: an S3 bucket ARN with a region or account).
 */
export function parseResourceArn(arn: string, options: { partition?: string; expectedType?: string } = {}): ResourceArn {
  const result = classifyResourceArn(arn, { partition: options.partition ?? DEFAULT_PARTITION, ...(options.expectedType ? { expectedType: options.expectedType } : {}) });
  if (result.ok) return result.arn;
  const ErrorClass = result.unsupported ? UnsupportedEventError : InvalidEventError;
  throw new ErrorClass(`resource ARN: ${result.problem}`, { context: { arn: truncate(arn) } });
}

/**
 * Names the resource an ARN points at: its type, and the account and region, taken
 * from the ARN where it carries them (S3 and IAM ARNs do not) or else from `fallback`.
 * With `expectedType`, the ARN must be an ARN of that type.
 */
export function identifyResource(
  arn: string,
  options: { expectedType?: string; accountId?: string; region?: string } = {},
): ArnResult {
  const result = classifyResourceArn(arn, options.expectedType === undefined ? {} : { expectedType: options.expectedType });
  if (!result.ok) return result;
  const accountId = result.arn.accountId || options.accountId;
  const region = result.arn.region || options.region;
  if (!accountId || !ACCOUNT.test(accountId)) {
    return { ok: false, unsupported: false, problem: `"${truncate(arn)}" carries no account id and none was given` };
  }
  if (!region) {
    return { ok: false, unsupported: false, problem: `"${truncate(arn)}" carries no region and none was given` };
  }
  return { ok: true, resource: { arn, type: result.arn.resourceType, accountId, region } };
}

/**
 * Builds the resource from a type and the id that AWS Config reports (`resourceId`):
 * an ARN is kept, a name or id is turned into the ARN where the type allows it.
 */
export function resourceFromId(
  type: string,
  id: string,
  where: { accountId: string; region: string; partition?: string },
): ArnResult {
  const rule = RULES_BY_TYPE.get(type);
  if (!rule) return { ok: false, unsupported: true, problem: `resource type "${type}" is not one Remediator supports` };
  if (id.startsWith('arn:')) return identifyResource(id, { expectedType: type, accountId: where.accountId, region: where.region });
  const arn = rule.fromId?.(id, { partition: where.partition ?? partitionOf(where.region), accountId: where.accountId, region: where.region });
  if (!arn) {
    return { ok: false, unsupported: true, problem: `the ${type} is reported by id "${truncate(id)}", from which Remediator cannot build an ARN` };
  }
  return identifyResource(arn, { expectedType: type, accountId: where.accountId, region: where.region });
}

/**
 * The IAM principal behind an access key, as GuardDuty and Security Hub report it
 * (`userType` / `PrincipalType` and `userName` / `PrincipalName`): an IAM user or the role
 * of an assumed-role session. Root and federated users are not resources a control can change.
 */
export function resourceFromAccessKeyPrincipal(
  userType: string,
  userName: string,
  where: { accountId: string; region: string; partition?: string },
): ArnResult {
  const partition = where.partition ?? partitionOf(where.region);
  const path = PRINCIPAL_PATHS.get(userType);
  if (!path) {
    return { ok: false, unsupported: true, problem: `credentials of a "${userType}" principal are not something Remediator can act on` };
  }
  return identifyResource(`arn:${partition}:iam::${where.accountId}:${path}/${userName}`, {
    expectedType: path === 'user' ? 'AWS::IAM::User' : 'AWS::IAM::Role',
    accountId: where.accountId,
    region: where.region,
  });
}

const PRINCIPAL_PATHS: ReadonlyMap<string, 'user' | 'role'> = new Map([
  ['IAMUser', 'user'],
  ['AssumedRole', 'role'],
  ['Role', 'role'],
]);

/** The partition a resource is in: its ARN's, or for a resource named by id only, its region's. */
export function partitionOfResource(resource: Pick<ResourceIdentity, 'arn' | 'region' | 'idOnly'>): string {
  return (resource.idOnly ? undefined : parseArn(resource.arn)?.partition) ?? partitionOf(resource.region);
}

/** The partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-iso-e`): the one definition. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  return 'aws';
}

function truncate(value: unknown): string {
  const text = String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
