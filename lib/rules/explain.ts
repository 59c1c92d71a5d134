/**
 * `remediate rules test <event.json>`: what Remediator would decide for an event, without
 * starting anything — the event normalized (lib/sources), each finding triaged (lib/rules)
 * against the rules given, with the rule that matched and, criterion by criterion, why the
 * rules before it did not. Nothing is read from AWS and nothing is written.
 */
import { InvalidEventError, UnsupportedEventError } from '../errors';
import type { Decision, Finding } from '../finding';
import { normalizeEvent, type IgnoredFinding, type NormalizeOptions, type RejectedFinding } from '../sources';
import { exceptionFor } from './exceptions';
import { explainFilter, type CriterionCheck } from './match';
import type { RulesFile } from './schema';
import { triage, type TriageOptions } from './triage';

/** One rule tried against the finding, in order, up to the first that matched. */
export interface RuleTried {
  ruleId: string;
  matched: boolean;
  criteria: CriterionCheck[];
}

export interface FindingExplanation {
  finding: Finding;
  /** The rules in order until the first that matched (all of them when none did). */
  rulesTried: RuleTried[];
  /** The rule whose filter matched, if any; the decision may still come from an earlier check (status, home region, exception). */
  matchedRuleId: string | null;
  /** The exception that covers the finding, or that covered it until it expired. */
  exception?: { label: string; owner: string; reason: string; expires: string; expired: boolean };
  decision: Decision;
}

export type Explanation =
  | { kind: 'findings'; findings: FindingExplanation[]; rejected: RejectedFinding[]; ignored: IgnoredFinding[] }
  | { kind: 'ignored'; reason: string }
  /** What the workflow would end in: the named error and its message. */
  | { kind: 'error'; errorName: 'InvalidEventError' | 'UnsupportedEventError'; message: string };

export interface ExplainOptions {
  rules: RulesFile;
  /** The deployment the event is judged for (home region, partition, account and region). */
  normalize: NormalizeOptions;
  triage?: TriageOptions;
}

export function explainEvent(event: unknown, options: ExplainOptions): Explanation {
  let normalized;
  try {
    normalized = normalizeEvent(event, { ...(options.rules.homeRegion ? { homeRegion: options.rules.homeRegion } : {}), ...options.normalize });
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof UnsupportedEventError) {
      return { kind: 'error', errorName: error.name, message: error.message };
    }
    throw error;
  }
  if (normalized.kind === 'ignored') return normalized;
  return {
    kind: 'findings',
    findings: normalized.findings.map((finding) => explainFinding(finding, options.rules, options.triage ?? {})),
    rejected: normalized.rejected ?? [],
    ignored: normalized.ignored ?? [],
  };
}

export function explainFinding(finding: Finding, rules: RulesFile, options: TriageOptions = {}): FindingExplanation {
  const rulesTried: RuleTried[] = [];
  for (const rule of rules.rules) {
    const criteria = explainFilter(rule.filter, finding);
    const matched = criteria.every((check) => check.holds);
    rulesTried.push({ ruleId: rule.id, matched, criteria });
    if (matched) break;
  }
  const exception = exceptionFor(finding, rules.exceptions, options.now ?? new Date());
  const covering = exception.active ?? exception.expired;
  return {
    finding,
    rulesTried,
    matchedRuleId: rulesTried.find((tried) => tried.matched)?.ruleId ?? null,
    ...(covering
      ? {
          exception: {
            label: covering.label,
            owner: covering.entry.owner,
            reason: covering.entry.reason,
            expires: covering.entry.expires,
            expired: exception.active === undefined,
          },
        }
      : {}),
    decision: triage(finding, rules, options),
  };
}

/** The explanation as text, for the CLI: the finding, why each rule did or did not match, the decision. */
export function formatExplanation(explanation: Explanation): string {
  if (explanation.kind === 'error') return `${explanation.errorName}: ${explanation.message}\n(the workflow would end in this error, changing nothing)\n`;
  if (explanation.kind === 'ignored') return `ignored: ${explanation.reason}\n`;
  const lines: string[] = [];
  for (const item of explanation.findings) {
    const { finding, decision } = item;
    lines.push(`finding ${finding.id}`);
    lines.push(`  ${finding.source} ${finding.type} ${finding.status} ${finding.severity}${finding.sample ? ' (sample)' : ''}`);
    lines.push(`  resource ${finding.resource.type} ${finding.resource.arn}${finding.resource.idOnly ? ' (id only)' : ''} in ${finding.resource.accountId} ${finding.resource.region}`);
    for (const tried of item.rulesTried) {
      lines.push(`  rule ${tried.ruleId}: ${tried.matched ? 'MATCHES' : 'no'}`);
      for (const check of tried.criteria) {
        lines.push(`    ${check.holds ? '✓' : '✗'} ${check.field} ${JSON.stringify(check.criterion)} — finding has ${check.values === undefined ? 'nothing' : JSON.stringify(check.values)}`);
      }
    }
    if (item.exception) {
      const { label, owner, reason, expires, expired } = item.exception;
      lines.push(`  ${label} (owner ${owner}, ${expired ? 'expired on' : 'until'} ${expires}): ${reason}`);
    }
    lines.push(`  decision: ${decision.action} (mode ${decision.mode}${decision.controlId ? `, control ${decision.controlId}` : ''}) by ${decision.ruleId}: ${decision.reason}`);
  }
  for (const entry of explanation.rejected) lines.push(`rejected ${entry.id}: ${entry.errorName}: ${entry.error}`);
  for (const entry of explanation.ignored) lines.push(`ignored ${entry.id}: ${entry.reason}`);
  return `${lines.join('\n')}\n`;
}
