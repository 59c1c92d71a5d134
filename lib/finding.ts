/**
 * The data model shared by every part of the loop (DESIGN.md §2):
 * Finding (one shape for every source), Decision (what triage chose) and
 * ChangeRecord (what a control did, stored before it writes).
 */
import * as z from 'zod';

export const MODES = ['auto', 'approve', 'notify', 'dry-run', 'archive'] as const;
export type Mode = (typeof MODES)[number];

export const FINDING_SOURCES = ['access-analyzer', 'security-hub', 'config', 'guardduty', 'manual'] as const;
export const FINDING_STATUSES = ['ACTIVE', 'ARCHIVED', 'RESOLVED'] as const;
export const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

const accountId = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits');

export const ResourceSchema = z
  .object({
    /**
     * The resource ARN (for IAM roles and S3 buckets: the usual ARN, e.g. arn:aws:s3:::bucket).
     * When `idOnly` is set, the id the source named the resource by (no ARN can be built from it).
     */
    arn: z.string().min(1).max(2048),
    /**
     * CloudFormation-style type, e.g. AWS::S3::Bucket; also AWS Config's `AWS::::Account` and the
     * `Namespace::Service::Resource` of third-party types that Config records.
     */
    type: z.string().regex(/^[A-Za-z0-9]+::[A-Za-z0-9]*::[A-Za-z0-9]+$/, 'a resource type looks like AWS::Service::Resource'),
    accountId,
    region: z.string().min(1),
    /** The source named the resource only by an id (AWS Config does): `arn` holds it as given, and no control may act on it. */
    idOnly: z.literal(true).optional(),
  })
  .refine((resource) => resource.idOnly === true || resource.arn.startsWith('arn:'), {
    message: 'a resource is named by an ARN unless idOnly says the source gave only an id',
    path: ['arn'],
  });
export type Resource = z.infer<typeof ResourceSchema>;

export const ExposureSchema = z.object({
  isPublic: z.boolean(),
  /** Principals outside the zone of trust, as the source reported them (account ids, ARNs, "*"). */
  principals: z.array(z.string()).default([]),
  actions: z.array(z.string()).default([]),
  /** Conditions the source considered, flattened to key -> value. */
  conditions: z.record(z.string(), z.string()).default({}),
});
export type Exposure = z.infer<typeof ExposureSchema>;

export const RawReferenceSchema = z.object({
  /** EventBridge event id, Security Hub finding id, or the CLI request id. */
  eventId: z.string(),
  source: z.string(),
  detailType: z.string().optional(),
});

export const FindingSchema = z.object({
  id: z.string().min(1).max(1024),
  source: z.enum(FINDING_SOURCES),
  /** Source-specific type: ExternalAccess, a Config rule name, a GuardDuty finding type. Kept as issued. */
  type: z.string().min(1),
  status: z.enum(FINDING_STATUSES),
  severity: z.enum(SEVERITIES),
  resource: ResourceSchema,
  exposure: ExposureSchema.optional(),
  observedAt: z.iso.datetime({ offset: true }),
  /** True for sample / test findings, which are never remediated unless a rule says so. */
  sample: z.boolean().default(false),
  /** Source facts that have no field of their own (original Config rule name, product, subtype). */
  labels: z.record(z.string(), z.string().max(1024)).default({}),
  /** For manual runbook requests: what the operator asked for. Triage honours it within the rules. */
  request: z
    .object({
      controlId: z.string().optional(),
      mode: z.enum(MODES).optional(),
      /** Who asked: the ARN that STS proved (lib/requests/identity.ts), never what the caller typed. */
      requestedBy: z.string(),
      reason: z.string().optional(),
      /** A rollback request: the change it undoes. */
      rollbackOf: z.string().optional(),
      nonce: z.string().optional(),
      /** The signed sts:GetCallerIdentity request that proves the requester. */
      identity: z.object({ url: z.string(), headers: z.record(z.string(), z.string()), body: z.string() }).optional(),
    })
    .optional(),
  raw: RawReferenceSchema,
});
export type Finding = z.infer<typeof FindingSchema>;
export type FindingInput = z.input<typeof FindingSchema>;

/** What the state machine routes on after Classify Finding. */
/** `EXCEPTED`: a rules-file exception covers the finding; recorded, nothing changed, nobody paged. */
export const ACTIONS = ['REMEDIATE', 'APPROVE', 'DRY_RUN', 'NOTIFY', 'ARCHIVE', 'IGNORE', 'ALREADY_RESOLVED', 'EXCEPTED', 'ROLLBACK'] as const;
export type Action = (typeof ACTIONS)[number];

export const RouteSchema = z.object({
  slackChannel: z.string().optional(),
  snsTopicArn: z.string().optional(),
  /** Slack user ids allowed to approve, reject or roll back for this account. */
  approvers: z.array(z.string()).default([]),
  /** Where an unanswered escalation goes next. */
  nextLevel: z.object({ slackChannel: z.string().optional(), snsTopicArn: z.string().optional() }).optional(),
});
export type Route = z.infer<typeof RouteSchema>;

export const DecisionSchema = z.object({
  action: z.enum(ACTIONS),
  controlId: z.string().nullable(),
  mode: z.enum(MODES),
  /** The id of the rule that matched, and why. */
  ruleId: z.string(),
  reason: z.string(),
  route: RouteSchema,
  rescan: z.object({ waitSeconds: z.number().int().min(0), maxAttempts: z.number().int().min(1) }),
  escalation: z.object({ timeoutSeconds: z.number().int().min(1) }),
  approval: z.object({ timeoutSeconds: z.number().int().min(1) }),
  /** The matching rule's blast-radius cap (identities that may lose access without an approval). */
  maxPrincipalsRemoved: z.number().int().min(0).optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const ChangeRecordSchema = z.object({
  changeId: z.string(),
  controlId: z.string(),
  findingId: z.string(),
  resourceArn: z.string(),
  /** The resource as the finding named it, so a rollback needs nothing but this record. */
  resourceType: z.string(),
  /**
   * What the finding named that a control's selection depends on (the Config rule and its ports, the
   * access key): a rollback requested later, by a manual request that knows none of it, re-selects
   * exactly what the change selected. Absent in records written before it existed.
   */
  selection: z.object({ source: z.enum(FINDING_SOURCES), type: z.string(), labels: z.record(z.string(), z.string()) }).optional(),
  accountId: z.string(),
  region: z.string(),
  executionArn: z.string(),
  /** `auto`, or the identity of the human who approved. */
  actor: z.string(),
  status: z.enum(['PENDING', 'APPLIED', 'FAILED', 'ROLLING_BACK', 'ROLLED_BACK']),
  /** The exact prior state, field by field; a null field means "there was none". */
  before: z.record(z.string(), z.string().nullable()),
  after: z.record(z.string(), z.string().nullable()),
  createdAt: z.string(),
  updatedAt: z.string(),
  error: z.string().optional(),
  /** Who asked for the rollback (`auto`, `slack:<user>`, `cli:<user>`). */
  rolledBackBy: z.string().optional(),
  /** What the rollback overwrote (the live state just before it), saved before it wrote. */
  rollbackOverwrote: z.record(z.string(), z.string().nullable()).optional(),
  /** The execution (or operator) that holds the rollback: a second rollback is refused with this name. */
  rollbackBy: z.string().optional(),
  /** What a retried Apply found part-written (an earlier attempt stopped between writes), saved before it finished the change. */
  resumedFrom: z.record(z.string(), z.string().nullable()).optional(),
  /** What the resource really held after a write failed and could not be undone (re-read, never assumed). */
  live: z.record(z.string(), z.string().nullable()).optional(),
});
export type ChangeRecord = z.infer<typeof ChangeRecordSchema>;
