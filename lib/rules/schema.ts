/**
 * The triage rules file (remediator.rules.yaml): the team's own judgement of
 * what is allowed, in the filter syntax of Access Analyzer archive rules
 * (eq / neq / contains / exists on finding fields), the zone of trust, the
 * per-rule mode and per-account routing.
 */
import * as z from 'zod';
import { AccountsSchema } from '../accounts/opt-in';
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

/** A filter in archive-rule syntax: every criterion must hold (AND). */
export const FilterSchema = z.partialRecord(z.enum(FILTER_FIELDS), CriterionSchema);
export type Filter = z.infer<typeof FilterSchema>;

/** A date (`2027-03-31`, the whole day in UTC) or a date-time with offset. */
const expiry = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/**
 * An accepted risk, with an owner, a reason and an expiry: a matching finding is recorded as
 * EXCEPTED and nothing is changed; once expired, the exception no longer applies and the
 * decision names the expiry. Exceptions by resource tag: `exceptionTags`.
 */
export const ExceptionSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'exception ids are kebab-case').optional(),
    match: FilterSchema.refine((filter) => Object.keys(filter).length > 0, 'an exception must match something: an empty filter would except every finding'),
    owner: z.string().trim().min(1).max(256),
    reason: z.string().trim().min(1).max(1024),
    expires: expiry,
  })
  .strict();
export type RuleException = z.infer<typeof ExceptionSchema>;

/**
 * Exceptions by resource tag (`remediator:exception=<ticket>`): off unless the rules file allows them.
 * A tagged exception still needs an owner and an expiry (their own tags), and the expiry may lie at most
 * `maxDays` ahead, so that a tag cannot accept a risk for ever (lib/rules/exceptions.ts).
 */
export const ExceptionTagsSchema = z
  .object({
    allow: z.boolean().default(false),
    key: z.string().min(1).max(128).default('remediator:exception'),
    ownerKey: z.string().min(1).max(128).default('remediator:exception-owner'),
    expiresKey: z.string().min(1).max(128).default('remediator:exception-expires'),
    maxDays: z.number().int().min(1).max(366).default(90),
  })
  .strict();
export type ExceptionTagSettings = z.infer<typeof ExceptionTagsSchema>;

export const RuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule ids are kebab-case'),
    description: z.string().optional(),
    filter: FilterSchema,
    mode: z.enum(MODES),
    /** Pin a control; otherwise the first registered control that handles the finding. */
    controlId: z.string().optional(),
    /** Sample findings (GuardDuty samples, test events) are ignored unless a rule opts in. */
    includeSamples: z.boolean().default(false),
    /**
     * Blast-radius cap: a change that would cut off more identities than this (lib/controls/blast-radius.ts)
     * is not written automatically; the workflow asks for approval instead, even in auto mode.
     */
    maxPrincipalsRemoved: z.number().int().min(0).optional(),
  })
  .strict();
export type Rule = z.infer<typeof RuleSchema>;

/**
 * The zone of trust. `kind: account` (the default): the accounts listed here, or the finding's own
 * account when none are; `organizationId` / `organizationAccountIds` may be typed by hand.
 * `kind: organization` (or simply `zoneOfTrust: organization`): the organization this deployment
 * belongs to and its member accounts, read from AWS Organizations (DescribeOrganization,
 * ListAccounts) and cached for `cacheSeconds` (lib/org/organization.ts); a typed `organizationId`
 * must then match the one Organizations answers.
 */
export const ZONE_KINDS = ['account', 'organization'] as const;
export const ZoneOfTrustSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { kind: value } : value),
  z
    .object({
      kind: z.enum(ZONE_KINDS).default('account'),
      /** Empty: the finding's own account is the zone. */
      accountIds: z.array(accountId).default([]),
      organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/).optional(),
      organizationAccountIds: z.array(accountId).default([]),
      /** kind organization: how long the organization read from AWS Organizations is trusted before it is read again. */
      cacheSeconds: z.number().int().min(0).max(86_400).default(900),
    })
    .strict(),
).default({ kind: 'account', accountIds: [], organizationAccountIds: [], cacheSeconds: 900 });
export type ZoneOfTrustSettings = z.infer<typeof ZoneOfTrustSchema>;

export const RulesFileSchema = z
  .object({
    version: z.literal(1),
    zoneOfTrust: ZoneOfTrustSchema,
    /** Member accounts Remediator changes through their member role: all, a list of ids, or { ous }. Default: this deployment's account only. */
    accounts: AccountsSchema.optional(),
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
    /** Accepted risks, checked before the rules. */
    exceptions: z.array(ExceptionSchema).default([]),
    /** Whether resource tags may except a finding, and which tags (off by default). */
    exceptionTags: ExceptionTagsSchema.default({
      allow: false,
      key: 'remediator:exception',
      ownerKey: 'remediator:exception-owner',
      expiresKey: 'remediator:exception-expires',
      maxDays: 90,
    }),
    /** The Slack team and app whose clicks count (checked by the Slack endpoint). */
  })
  .strict()
  .superRefine((file, ctx) => {
    const ids = new Set<string>();
    file.rules.forEach((rule, index) => {
      if (ids.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: `duplicate rule id ${rule.id}` });
      ids.add(rule.id);
    });
    for (const problem of routesWithoutApprovers(file)) {
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    }
    const last = file.rules[file.rules.length - 1];
    if (last && Object.keys(last.filter).length !== 0) {
      ctx.addIssue({ code: 'custom', path: ['rules', file.rules.length - 1], message: 'the last rule is the explicit default: its filter must be {}' });
    }
  });
export type RulesFile = z.infer<typeof RulesFileSchema>;

/** Modes whose decisions can reach a human who must be allowed to decide: approvals, and on-call escalations. */
const MODES_NEEDING_APPROVERS: ReadonlySet<string> = new Set(['auto', 'approve']);

/**
 * Fail closed: every route that can receive an approval request or an on-call escalation must
 * name its approvers, or anyone who can see the message could decide. The default route always
 * can (escalation falls back to it); an account route can as soon as any rule is auto or approve,
 * since routing is per account, not per rule.
 */
export function routesWithoutApprovers(file: {
  routes: { default: { approvers: string[] }; accounts: Record<string, { approvers: string[] }> };
  rules: Array<{ id: string; mode: string }>;
}): Array<{ path: Array<string | number>; message: string }> {
  const acting = file.rules.filter((rule) => MODES_NEEDING_APPROVERS.has(rule.mode));
  const why = acting.length
    ? `rule ${acting[0]?.id} (mode ${acting[0]?.mode}) can send it an approval or an on-call escalation`
    : 'on-call escalations fall back to it';
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  if (file.routes.default.approvers.length === 0) {
    problems.push({
      path: ['routes', 'default', 'approvers'],
      message: `route "default" names no approvers, but ${why}: list the Slack user ids allowed to decide`,
    });
  }
  if (acting.length === 0) return problems;
  for (const [account, route] of Object.entries(file.routes.accounts)) {
    if (route.approvers.length === 0) {
      problems.push({
        path: ['routes', 'accounts', account, 'approvers'],
        message: `route "${account}" names no approvers, but ${why}: list the Slack user ids allowed to decide`,
      });
    }
  }
  return problems;
}
