/**
 * Public types of the policy analyzer. The shapes marked "contract" are
 * imported by other parts of Remediator (triage, controls, verification):
 * add fields if needed, never rename or remove one.
 */

/** Contract. Who is trusted: one or more accounts, optionally an organization and its member accounts. */
export interface ZoneOfTrust {
  accountIds: string[];
  organizationId?: string;
  organizationAccountIds?: string[];
}

/** Contract. The resource types whose policies the controls handle. */
export type ResourceKind = 's3' | 'kms' | 'sqs' | 'sns' | 'lambda' | 'iam-role' | 'secretsmanager' | 'ecr' | 'generic';

export const RESOURCE_KINDS: readonly ResourceKind[] = ['s3', 'kms', 'sqs', 'sns', 'lambda', 'iam-role', 'secretsmanager', 'ecr', 'generic'];

/** Contract. S3 Block Public Access settings (bucket and account combined: the most restrictive wins). */
export interface S3PublicAccessBlock {
  BlockPublicAcls?: boolean;
  IgnorePublicAcls?: boolean;
  BlockPublicPolicy?: boolean;
  RestrictPublicBuckets?: boolean;
}

/** Contract. One grant of a bucket ACL, flattened. */
export interface S3AclGrant {
  granteeType: 'Group' | 'CanonicalUser' | 'AmazonCustomerByEmail';
  granteeUri?: string;
  granteeId?: string;
  permission: string;
}

/** Contract. */
export interface AnalyzeOptions {
  /** The resource type; inferred from the actions when absent. */
  kind?: ResourceKind;
  /**
   * Fail with PolicyParseError on anything AWS itself would reject (for CI on templates).
   * Default false: such oddities become lint notes and uncertainty resolves toward exposed.
   */
  strict?: boolean;
  s3?: { publicAccessBlock?: S3PublicAccessBlock | null; aclGrants?: S3AclGrant[]; ownerCanonicalId?: string };
}

/** A policy statement as written in JSON (the shape fixes are built in). */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PrincipalValue;
  NotPrincipal?: PrincipalValue;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, ConditionValue>>;
}

export type PrincipalValue = '*' | { AWS?: string | string[]; Service?: string | string[]; Federated?: string | string[]; CanonicalUser?: string | string[] };
export type ConditionScalar = string | number | boolean;
export type ConditionValue = ConditionScalar | ConditionScalar[];

/** A policy document as written in JSON. `Statement` may be one object or an array, as in IAM. */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** Something odd in a policy, found while reading it (see README: never refuse a policy). */
export interface LintNote {
  /** Where: "Statement[2].Condition.StringEqual". */
  location: string;
  message: string;
  /** True when IAM would refuse to store the policy (strict mode throws PolicyParseError for these). */
  rejectedByAws: boolean;
}

/** A grant to an AWS service principal with nothing that pins whom the service acts for: not exposure, a risk. */
export interface ServiceRiskNote {
  statementIndex: number;
  sid?: string;
  /** The service principals, as written. */
  services: string[];
  actions: string[];
  reason: string;
}

/** Where an exposure comes from. */
export type AccessClass = 'public' | 'cross-account';

/** Contract. One per (statement, principal class). */
export interface ExternalAccessFinding {
  /** Index of the statement in the policy; -1 for an S3 ACL grant. */
  statementIndex: number;
  sid?: string;
  /** `policy` for a statement, `acl` for an S3 bucket ACL grant. */
  source: 'policy' | 'acl';
  access: AccessClass;
  /** External AWS account ids (12 digits), sorted. Empty for public access or for identities that have no known account. */
  accounts: string[];
  /** External identities that are not plain accounts: organizations, AWS services acting for any account, canonical users, web-identity users. */
  principals: string[];
  /** The actions granted, as written (for a NotAction statement: `*`, see `notActions`). */
  actions: string[];
  /** Set when the statement uses NotAction: everything except these is granted. */
  notActions?: string[];
  /** Conditions that were considered, flattened as "Operator key=value1|value2". */
  conditions: string[];
  reason: string;
}

/**
 * The verdict of one statement.
 * - `public`: anyone (or any AWS account) can use it.
 * - `cross-account`: named identities outside the zone can use it.
 * - `trusted`: every principal it names is inside the zone.
 * - `trusted-by-condition`: it names principals outside the zone, but conditions on keys callers cannot forge narrow it to the zone (or to a fixed network).
 * - `deny-covered`: it would expose something, but Deny statements provably remove all of it.
 * - `blocked-by-bpa`: it would expose something, but S3 RestrictPublicBuckets confines access to the owner account.
 * - `service-risk`: it grants an AWS service principal without a confused-deputy condition
 *   (aws:SourceAccount, aws:SourceArn, …). Not external access (Access Analyzer does not report
 *   service principals): a risk note, never `exposed`, left alone by the minimal fix unless asked.
 * - `deny`: a Deny statement; it grants nothing.
 */
export type StatementVerdictCode = 'public' | 'cross-account' | 'service-risk' | 'trusted' | 'trusted-by-condition' | 'deny-covered' | 'blocked-by-bpa' | 'deny';

export interface StatementVerdict {
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  verdict: StatementVerdictCode;
  reason: string;
}

/** Contract. */
export interface PolicyAnalysis {
  /** Anything reachable outside the zone. */
  exposed: boolean;
  isPublic: boolean;
  /** Sorted, unique. */
  externalAccounts: string[];
  findings: ExternalAccessFinding[];
  /** Every statement with a verdict and a human reason. */
  statements: StatementVerdict[];
  /** The resource kind used for the analysis (given or inferred). */
  kind: ResourceKind;
  /** Notes about the whole analysis (S3 ACL, Block Public Access, no policy, lint). */
  notes: string[];
  /** Service grants without a confused-deputy condition (verdict `service-risk`): never exposure. */
  risks: ServiceRiskNote[];
  /** Oddities in the policy grammar; each is also in `notes`. */
  lint: LintNote[];
}

export interface MinimalFix {
  /** The fixed policy; `null` means: delete the policy entirely. */
  policy: PolicyDocument | null;
  /** One human line per change, in statement order. */
  changes: string[];
}

export interface MinimalFixOptions extends AnalyzeOptions {
  /** Also narrow service grants without a confused-deputy condition (verdict `service-risk`) with aws:SourceAccount / aws:SourceOrgID. Default false. */
  fixServiceRisks?: boolean;
}

export interface DenyAllArgs {
  kind: ResourceKind;
  resourceArns: string[];
  exemptPrincipalArns: string[];
  accountId: string;
}
