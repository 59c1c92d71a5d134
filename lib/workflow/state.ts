/**
 * The run state: the one document the state machine carries from state to
 * state (`"state.$": "$"` in every Task's Payload). Every task parses it on
 * entry (`parseState`), so a bad state stops the run with an InvalidStateError,
 * which the ASL catches into the failure path, before anything is read or written.
 */
import * as z from 'zod';
import { InvalidStateError } from '../errors';
import { DecisionSchema, FindingSchema } from '../finding';
import { formatIssues } from '../sources/envelope';

const ResourceStateSchema = z.record(z.string(), z.string().nullable());

/** An error's cause: Step Functions may leave it out or null (SendTaskFailure without one; moto always). */
const CauseSchema = z
  .string()
  .nullish()
  .transform((cause) => cause ?? '');

/** What a Catch puts at its ResultPath: the error name and its cause. */
export const CaughtErrorSchema = z.object({ Error: z.string(), Cause: CauseSchema });
export type CaughtError = z.infer<typeof CaughtErrorSchema>;

/** The plan a human approved: carried through the task token so that what they saw is what gets written. */
export const ApprovedPlanSchema = z.object({
  before: ResourceStateSchema,
  after: ResourceStateSchema,
  summary: z.string(),
  planHash: z.string(),
});
export type ApprovedPlan = z.infer<typeof ApprovedPlanSchema>;

/** A human's answer (SendTaskSuccess output), or the error that ended the wait (Catch output). */
const HumanAnswerSchema = z.object({
  outcome: z.string().optional(),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  Error: z.string().optional(),
  Cause: CauseSchema.optional(),
});

export const CHANGE_STATUSES = ['REMEDIATED', 'NOT_APPLICABLE', 'DUPLICATE'] as const;

export const RunStateSchema = z.object({
  finding: FindingSchema.optional(),
  decision: DecisionSchema.optional(),
  /** Approval rounds so far (a plan that changed under an approval is asked again, up to MAX_APPROVAL_ROUNDS). */
  rounds: z.object({ approval: z.number().int().min(0) }).optional(),
  plan: z
    .object({
      summary: z.string(),
      applicable: z.boolean(),
      reason: z.string(),
      before: ResourceStateSchema.optional(),
      after: ResourceStateSchema.optional(),
      planHash: z.string().optional(),
    })
    .optional(),
  change: z
    .object({
      status: z.enum(CHANGE_STATUSES),
      changeId: z.string().nullable(),
      summary: z.string(),
      reason: z.string(),
      controlId: z.string(),
      /** DUPLICATE: the execution that already changed this resource. */
      handledBy: z.string().optional(),
    })
    .optional(),
  verification: z
    .object({ status: z.enum(['RESOLVED', 'STILL_OPEN']), attempt: z.number().int(), attemptsLeft: z.number().int(), reason: z.string() })
    .optional(),
  approval: HumanAnswerSchema.extend({ plan: ApprovedPlanSchema.optional() }).optional(),
  /** Apply Corrective Control's ApprovalRequiredError: an automatic change above the blast-radius cap, sent to a human. */
  approvalRequired: CaughtErrorSchema.optional(),
  /** The last PlanChangedError of Apply Corrective Control (the live resource moved away from the approved plan). */
  planChanged: CaughtErrorSchema.optional(),
  escalation: HumanAnswerSchema.extend({ nextLevel: z.boolean().optional() }).optional(),
  rollback: z.object({ changeId: z.string(), status: z.string() }).optional(),
  archive: z.object({ status: z.string(), reason: z.string() }).optional(),
  /** Approvals and escalations a resolved finding closed. */
  closed: z.array(z.string()).optional(),
  notification: z
    .object({ outcome: z.string(), delivered: z.boolean(), channel: z.string().optional(), ts: z.string().optional(), topicArn: z.string().optional() })
    .optional(),
  error: CaughtErrorSchema.optional(),
  /** Findings of a multi-finding event that could not be normalized (their siblings went on). */
  rejected: z.array(z.object({ id: z.string(), errorName: z.string(), error: z.string() })).optional(),
  batch: z.object({ findings: z.array(z.unknown()), rejected: z.array(z.unknown()), started: z.array(z.unknown()).optional() }).optional(),
});
export type RunState = z.infer<typeof RunStateSchema>;

/** A state past Classify Finding for one finding: the finding and its decision are there. */
export const DecidedStateSchema = RunStateSchema.extend({ finding: FindingSchema, decision: DecisionSchema });
export type DecidedState = z.infer<typeof DecidedStateSchema>;

/** Parse a task's state with its schema; anything else is an InvalidStateError naming the task and the fields. */
export function parseState<T extends z.ZodType>(schema: T, state: unknown, task: string): z.infer<T> {
  const parsed = schema.safeParse(state);
  if (!parsed.success) throw new InvalidStateError(`${task}: the workflow state does not parse: ${formatIssues(parsed.error)}`, { context: { task } });
  return parsed.data;
}
