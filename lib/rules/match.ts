import type { Finding } from '../finding';
import type { Criterion, Filter, Rule } from './schema';

/** The values of a finding field, as strings (arrays give several values). */
export function fieldValues(finding: Finding, field: string): string[] | undefined {
  let value: unknown = finding;
  for (const part of field.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** Archive-rule semantics: eq = any value equal; neq = no value equal; contains = any substring; exists. */
export function criterionMatches(values: string[] | undefined, criterion: Criterion): boolean {
  if (criterion.exists !== undefined && (values !== undefined && values.length > 0) !== criterion.exists) return false;
  if (criterion.eq && !(values ?? []).some((v) => criterion.eq!.includes(v))) return false;
  if (criterion.neq && (values ?? []).some((v) => criterion.neq!.includes(v))) return false;
  if (criterion.contains && !(values ?? []).some((v) => criterion.contains!.some((c) => v.includes(c)))) return false;
  return true;
}

/** Every criterion of the filter must hold (AND), as in archive rules. */
export function filterMatches(filter: Filter, finding: Finding): boolean {
  return Object.entries(filter).every(([field, criterion]) => criterionMatches(fieldValues(finding, field), criterion));
}

export function ruleMatches(rule: Rule, finding: Finding): boolean {
  return filterMatches(rule.filter, finding);
}

/** One criterion of a filter, checked: the field, what the finding holds there, and whether it held. */
export interface CriterionCheck {
  field: string;
  criterion: Criterion;
  values: string[] | undefined;
  holds: boolean;
}

/** Every criterion of the filter, checked one by one (for `remediate rules test`). */
export function explainFilter(filter: Filter, finding: Finding): CriterionCheck[] {
  return Object.entries(filter).map(([field, criterion]) => {
    const values = fieldValues(finding, field);
    return { field, criterion: criterion as Criterion, values, holds: criterionMatches(values, criterion as Criterion) };
  });
}

export function firstMatchingRule(rules: Rule[], finding: Finding): Rule | undefined {
  return rules.find((rule) => ruleMatches(rule, finding));
}
