/**
 * The rules inside a deployed function. At package time the bundled-rules
 * esbuild plugin (scripts/esbuild-plugins.cjs) checks the rules file with
 * lib/rules/load.ts and writes its data into the bundle in place of
 * lib/runtime/rules.ts, so the function needs no YAML parser and never reads a
 * file. Here the data is validated once more by the same schema, which also
 * applies its defaults.
 */
import { posix } from 'node:path';
import { InvalidRulesError } from '../errors';
import { RulesFileSchema, type RulesFile } from './schema';

export interface BundledRules {
  /** The rules file the data came from, as REMEDIATOR_RULES_FILE named it at package time. */
  file: string;
  data: unknown;
}

const same = (a: string, b: string): boolean => posix.normalize(a.replaceAll('\\', '/')) === posix.normalize(b.replaceAll('\\', '/'));

export function bundledRules(bundle: BundledRules, env: NodeJS.ProcessEnv = process.env): RulesFile {
  const named = env.REMEDIATOR_RULES_FILE;
  if (named && !same(named, bundle.file)) {
    throw new InvalidRulesError(
      `REMEDIATOR_RULES_FILE names ${named}, but this function was packaged with the rules of ${bundle.file}: the rules are part of the bundle, so package and deploy again to change them`,
      { context: { named, bundled: bundle.file } },
    );
  }
  const parsed = RulesFileSchema.safeParse(bundle.data);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`);
    throw new InvalidRulesError(`${bundle.file} (as bundled): ${problems.join('; ')}`, { context: { file: bundle.file, issues: parsed.error.issues } });
  }
  return parsed.data;
}
