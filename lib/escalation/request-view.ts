/**
 * What a person needs to decide without opening the console, in one place: the finding
 * (resource, account, source, since when), who could reach the resource and with which
 * actions, the exact planned change as a unified diff, and who loses access. The Slack
 * message (messages.ts) and the e-mail of the SNS fallback (text-message.ts) both render it.
 */
import { planDiff, truncateDiff } from '../controls/plan-diff';
import { describeLostAccess, whoLosesAccess } from '../controls/blast-radius';
import type { ResourceState } from '../controls/types';
import type { Finding } from '../finding';
import { analyzePolicy, type ExternalAccessFinding, type ResourceKind, type ZoneOfTrust } from '../policy';

/** Diff lines shown in a message; the rest is one command away. */
export const DIFF_LINES = 40;

export interface FindingFacts {
  resourceArn: string;
  resourceType: string;
  accountId: string;
  /** The account's name, when something names it (the rules file does not yet). */
  accountName?: string;
  region: string;
  source: string;
  type: string;
  severity: string;
  /** When the source first observed it. */
  since: string;
}

export interface PlanFacts {
  controlId: string;
  summary: string;
  /** The unified diff, at most DIFF_LINES lines. */
  diff: string;
  truncated: boolean;
  omitted: number;
  /** How to see all of it. */
  fullPlan: string;
  losesAccess: string[];
}

export interface RequestView {
  finding: FindingFacts;
  /** One line per identity class that could reach the resource, with its actions. */
  reach: string[];
  plan?: PlanFacts;
  ruleId: string;
  executionArn: string;
  /** Anything else the person should read first (e.g. "round 2: the resource changed"). */
  notes: string[];
}

const KIND_OF_TYPE: Record<string, ResourceKind> = {
  'AWS::S3::Bucket': 's3',
  'AWS::KMS::Key': 'kms',
  'AWS::SQS::Queue': 'sqs',
  'AWS::SNS::Topic': 'sns',
  'AWS::Lambda::Function': 'lambda',
  'AWS::Lambda::LayerVersion': 'lambda',
  'AWS::IAM::Role': 'iam-role',
  'AWS::SecretsManager::Secret': 'secretsmanager',
  'AWS::ECR::Repository': 'ecr',
};

export function findingFacts(finding: Finding, accountName?: string): FindingFacts {
  return {
    resourceArn: finding.resource.arn,
    resourceType: finding.resource.type,
    accountId: finding.resource.accountId,
    ...(accountName ? { accountName } : {}),
    region: finding.resource.region,
    source: finding.source,
    type: finding.type,
    severity: finding.severity,
    since: finding.observedAt,
  };
}

/**
 * Who could reach the resource: the policy analyzer's reading of every policy in the plan's `before`
 * (the live resource, not the event), else what the finding's source reported.
 */
export function whoCouldReach(finding: Finding, zone: ZoneOfTrust, before?: ResourceState): string[] {
  const kind = KIND_OF_TYPE[finding.resource.type] ?? 'generic';
  const fromPolicies = Object.entries(before ?? {}).flatMap(([field, value]) => (isPolicy(value) ? analyzePolicy(value, zone, { kind }).findings.map((f) => reachLine(field, f)) : []));
  if (fromPolicies.length) return [...new Set(fromPolicies)];
  const exposure = finding.exposure;
  if (!exposure) return [];
  const who = exposure.isPublic ? ['anyone (public)'] : exposure.principals;
  if (!who.length) return [];
  const conditions = Object.entries(exposure.conditions).map(([key, value]) => `${key}=${value}`);
  return [`${who.join(', ')}: ${exposure.actions.length ? exposure.actions.join(', ') : 'actions not reported'}${conditions.length ? ` (if ${conditions.join('; ')})` : ''} — as reported by ${finding.source}`];
}

function reachLine(field: string, finding: ExternalAccessFinding): string {
  const who = finding.access === 'public' ? ['anyone (public)'] : [...finding.accounts, ...finding.principals];
  const actions = finding.notActions ? `everything but ${finding.notActions.join(', ')}` : finding.actions.join(', ');
  const where = finding.source === 'acl' ? 'ACL grant' : finding.sid ? `statement ${finding.sid}` : `statement #${finding.statementIndex + 1}`;
  return `${who.join(', ')}: ${actions}${finding.conditions.length ? ` (if ${finding.conditions.join('; ')})` : ''} — ${field} ${where}`;
}

function isPolicy(value: string | null): value is string {
  if (!value) return false;
  try {
    const parsed: unknown = JSON.parse(value);
    return Boolean(parsed) && typeof parsed === 'object' && !Array.isArray(parsed) && 'Statement' in (parsed as object);
  } catch {
    return false;
  }
}

/** The command that shows the whole plan (nothing written). */
export function fullPlanCommand(controlId: string, resourceArn: string): string {
  return `remediate plan ${controlId} --resource ${resourceArn}`;
}

export function planFacts(args: {
  controlId: string;
  summary: string;
  before: ResourceState;
  after: ResourceState;
  zone: ZoneOfTrust;
  resourceArn: string;
  resourceType: string;
}): PlanFacts {
  const kind = KIND_OF_TYPE[args.resourceType] ?? 'generic';
  const { text, truncated, omitted } = truncateDiff(planDiff(args.before, args.after), DIFF_LINES);
  return {
    controlId: args.controlId,
    summary: args.summary,
    diff: text,
    truncated,
    omitted,
    fullPlan: fullPlanCommand(args.controlId, args.resourceArn),
    losesAccess: describeLostAccess(whoLosesAccess(args.before, args.after, args.zone, { kind })),
  };
}

/** The view of one request: the finding, who could reach it (from the plan's `before` when there is one), and the plan. */
export function requestView(args: {
  finding: Finding;
  ruleId: string;
  executionArn: string;
  zone: ZoneOfTrust;
  plan?: { controlId: string; summary: string; before: ResourceState; after: ResourceState };
  notes?: string[];
  accountName?: string;
}): RequestView {
  const { finding, plan } = args;
  return {
    finding: findingFacts(finding, args.accountName),
    reach: whoCouldReach(finding, args.zone, plan?.before),
    ...(plan ? { plan: planFacts({ ...plan, zone: args.zone, resourceArn: finding.resource.arn, resourceType: finding.resource.type }) } : {}),
    ruleId: args.ruleId,
    executionArn: args.executionArn,
    notes: args.notes ?? [],
  };
}
