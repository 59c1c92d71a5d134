import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidRulesError } from '../errors';
import { formatProblems, lintRules } from './lint';
import type { RulesFile } from './schema';

export const DEFAULT_RULES_FILE = 'remediator.rules.yaml';

/**
 * Parse and validate rules text; every problem is an InvalidRulesError naming the line,
 * the field and the rule it breaks (the same checks as `remediate rules lint`).
 */
export function parseRules(text: string, origin = 'rules'): RulesFile {
  return checked(text, origin).rules;
}

/**
 * The rules as plain data, checked exactly as parseRules checks them: what each
 * function bundle embeds at package time (scripts/esbuild-plugins.cjs), so the
 * functions carry no YAML parser and a bad rules file stops the deploy.
 */
export function compileRules(text: string, origin = 'rules'): unknown {
  return checked(text, origin).data;
}

function checked(text: string, origin: string): { rules: RulesFile; data: unknown } {
  const result = lintRules(text);
  if (result.ok && result.rules) return { rules: result.rules, data: result.data };
  const errors = result.problems.filter((problem) => problem.severity === 'error');
  throw new InvalidRulesError(`${origin}: ${formatProblems(errors.slice(0, 5), 'line').join('; ')}`, {
    context: { origin, problems: errors },
  });
}

let cached: { path: string; rules: RulesFile } | undefined;

/**
 * The rules in force: REMEDIATOR_RULES_FILE, or remediator.rules.yaml in the
 * working directory (the Lambda package root). Read once per container.
 */
export function loadRules(path = process.env.REMEDIATOR_RULES_FILE ?? DEFAULT_RULES_FILE): RulesFile {
  const absolute = resolve(path);
  if (cached?.path === absolute) return cached.rules;
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (cause) {
    throw new InvalidRulesError(`cannot read rules file ${path}`, { cause, context: { path } });
  }
  const rules = parseRules(text, path);
  cached = { path: absolute, rules };
  return rules;
}
