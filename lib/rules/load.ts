import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { InvalidRulesError } from '../errors';
import { formatIssues } from '../sources/envelope';
import { RulesFileSchema, type RulesFile } from './schema';

export const DEFAULT_RULES_FILE = 'remediator.rules.yaml';

/** Parse and validate rules text; every problem is an InvalidRulesError naming the field. */
export function parseRules(text: string, origin = 'rules'): RulesFile {
  let data: unknown;
  try {
    data = parse(text);
  } catch (cause) {
    throw new InvalidRulesError(`${origin}: not valid YAML: ${(cause as Error).message}`, { cause, context: { origin } });
  }
  const result = RulesFileSchema.safeParse(data);
  if (!result.success) {
    throw new InvalidRulesError(`${origin}: ${formatIssues(result.error)}`, { context: { origin } });
  }
  return result.data;
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
