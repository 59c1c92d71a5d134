/**
 * `remediate rules lint`: validates the text of a rules file and says where each problem is
 * (line and column, from the YAML node the problem is about), so a team can check its
 * judgement before it goes live. Errors are what the loader refuses; warnings are legal but
 * probably not meant (an expired exception, a rule that can never match).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type * as z from 'zod';
import { expiresAt } from './exceptions';
import { RulesFileSchema, type RulesFile } from './schema';

export interface LintProblem {
  severity: 'error' | 'warning';
  /** 1-based; 0 when the problem has no place in the text (an empty file). */
  line: number;
  column: number;
  /** The field, as a dot path (`rules.1.mode`); '' for the whole file. */
  path: string;
  message: string;
}

export interface LintResult {
  /** True when there is no error (warnings allowed). */
  ok: boolean;
  problems: LintProblem[];
  /** The validated rules, when there is no error. */
  rules?: RulesFile;
  /** The plain data the rules were validated from (before the schema's defaults), when there is no error. */
  data?: unknown;
}

export function lintRules(text: string, options: { now?: Date } = {}): LintResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const syntax = doc.errors.map<LintProblem>((error) => ({
    severity: 'error',
    line: error.linePos?.[0].line ?? 0,
    column: error.linePos?.[0].col ?? 0,
    path: '',
    message: `not valid YAML: ${error.message.split('\n')[0]}`,
  }));
  if (syntax.length > 0) return { ok: false, problems: syntax };

  const data: unknown = doc.toJS();
  const parsed = RulesFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => schemaProblem(issue, doc, lineCounter));
    return { ok: false, problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) };
  }
  const warnings = warningsFor(parsed.data, options.now ?? new Date()).map<LintProblem>(({ path, message }) => ({
    severity: 'warning',
    ...position(doc, path, lineCounter),
    path: path.join('.'),
    message,
  }));
  return { ok: true, problems: warnings, rules: parsed.data, data };
}

/** Problems as one line each: `origin:line:column: severity: path: message`. */
export function formatProblems(problems: readonly LintProblem[], origin: string): string[] {
  return problems.map((problem) => `${origin}:${problem.line}:${problem.column}: ${problem.severity}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`);
}

function schemaProblem(issue: z.core.$ZodIssue, doc: Document, lineCounter: LineCounter): LintProblem {
  const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
  // An unknown key is about the key itself, not the object that holds it.
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const where = keys.length > 0 ? [...path, keys[0] as string] : path;
  return { severity: 'error', ...position(doc, where, lineCounter), path: where.join('.'), message: issue.message };
}

/** The line and column of the deepest node on `path` that exists (a missing field points at its parent). */
function position(doc: Document, path: ReadonlyArray<string | number>, lineCounter: LineCounter): { line: number; column: number } {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const segment of path) {
    const next = child(node, segment);
    if (next === undefined) break;
    node = next.value;
    offset = next.keyOffset ?? rangeStart(node) ?? offset;
  }
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** The child at `segment`, with the offset of its key (for maps) so that the line is the field's own. */
function child(node: unknown, segment: string | number): { value: unknown; keyOffset?: number } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
    if (!pair) return undefined;
    const keyOffset = rangeStart(pair.key);
    return keyOffset === undefined ? { value: pair.value } : { value: pair.value, keyOffset };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

/** Legal, but probably not what the team meant. */
function warningsFor(rules: RulesFile, now: Date): Array<{ path: Array<string | number>; message: string }> {
  const warnings: Array<{ path: Array<string | number>; message: string }> = [];
  rules.exceptions.forEach((exception, index) => {
    if (expiresAt(exception.expires).getTime() < now.getTime()) {
      warnings.push({
        path: ['exceptions', index, 'expires'],
        message: `exception ${exception.id ?? index} (owner ${exception.owner}) expired on ${exception.expires}: it no longer applies`,
      });
    }
  });
  const seen = new Map<string, string>();
  rules.rules.forEach((rule, index) => {
    const filter = canonical(rule.filter);
    const earlier = seen.get(filter);
    if (earlier !== undefined) {
      warnings.push({ path: ['rules', index, 'filter'], message: `rule ${rule.id} can never match: rule ${earlier} before it has the same filter` });
    } else {
      seen.set(filter, rule.id);
    }
    if (rule.includeSamples && rule.mode === 'auto') {
      warnings.push({ path: ['rules', index, 'includeSamples'], message: `rule ${rule.id} remediates sample findings automatically` });
    }
  });
  return warnings;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
