/**
 * The triage rules file (remediator.rules.yaml): the team's own judgement of
 * what is allowed, in the filter syntax of Access Analyzer archive rules
 * (eq / neq / contains / exists on finding fields), the zone of trust, the
 * per-rule mode and per-account routing.
 */
import { z } from 'zod';
import { MODES, RouteSchema } from '../finding';

const accountId = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits');

/** One criterion on one field, as in an Access Analyzer archive rule. */
export const CriterionSchema = z
  .object({
    eq: z.array(z.string()).min(1).max(20).optional(),
    neq: z.array(z.string()).min(1).max(20).optional(),
    contains: z.array(z.string()).min(1).max(20).optional(),
    exists: z.boolean().optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'a criterion needs one of eq, neq, contains, exists');
export type Criterion = z.infer<typeof CriterionSchema>;

/** Fields a filter may name: dot paths into the Finding. */
export const FILTER_FIELDS = [
  'id',
  'source',
  'type',
  'status',
  'severity',
  'sample',
  'resource.arn',
  'resource.type',
  'resource.accountId',
  'resource.region',
  'exposure.isPublic',
  'exposure.principals',
  'exposure.actions',
] as const;

export const RuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule ids are kebab-case'),
    description: z.string().optional(),
    filter: z.partialRecord(z.enum(FILTER_FIELDS), CriterionSchema),
    mode: z.enum(MODES),
    /** Pin a control; otherwise the first registered control that handles the finding. */
    controlId: z.string().optional(),
    /** Sample findings (GuardDuty samples, test events) are ignored unless a rule opts in. */
    includeSamples: z.boolean().default(false),
  })
  .strict();
export type Rule = z.infer<typeof RuleSchema>;

export const RulesFileSchema = z
  .object({
    version: z.literal(1),
    zoneOfTrust: z
      .object({
        /** Empty: the finding's own account is the zone. */
        accountIds: z.array(accountId).default([]),
        organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/).optional(),
        organizationAccountIds: z.array(accountId).default([]),
      })
      .strict()
      .default({ accountIds: [], organizationAccountIds: [] }),
    /** Role names exempted from deny-all policies in every account, so the change can be undone. */
    breakGlassRoleNames: z.array(z.string().regex(/^[\w+=,.@/-]{1,512}$/)).default([]),
    /** IAM role findings arrive in every region: only this region acts on them. */
    homeRegion: z.string().optional(),
    defaults: z
      .object({
        rescan: z.object({ waitSeconds: z.number().int().min(0).max(86_400), maxAttempts: z.number().int().min(1).max(20) }).strict(),
        // Seconds a human has to answer (Step Functions allows up to a year; a week is plenty here).
        approval: z.object({ timeoutSeconds: z.number().int().min(1).max(604_800) }).strict(),
        escalation: z.object({ timeoutSeconds: z.number().int().min(1).max(604_800) }).strict(),
      })
      .strict(),
    routes: z
      .object({
        default: RouteSchema,
        accounts: z.record(accountId, RouteSchema).default({}),
      })
      .strict(),
    rules: z.array(RuleSchema).min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    const ids = new Set<string>();
    file.rules.forEach((rule, index) => {
      if (ids.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: `duplicate rule id ${rule.id}` });
      ids.add(rule.id);
    });
    const last = file.rules[file.rules.length - 1];
    if (last && Object.keys(last.filter).length !== 0) {
      ctx.addIssue({ code: 'custom', path: ['rules', file.rules.length - 1], message: 'the last rule is the explicit default: its filter must be {}' });
    }
  });
export type RulesFile = z.infer<typeof RulesFileSchema>;
