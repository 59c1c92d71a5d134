/**
 * parsePolicy: read a resource policy (grammar.ts), compile each statement
 * into its audience (compile.ts) and let the Deny statements subtract (deny.ts).
 * The result is independent of any zone of trust; analyze.ts classifies it.
 */
import { applyDenies } from './deny';
import { CompiledStatement, inferKind } from './compile';
import { Lint, readDocument } from './grammar';
import type { LintNote, PolicyDocument, ResourceKind } from './types';

export type { ActionGroup } from './compile';
export { CompiledStatement } from './compile';
export { globMatch, patternCovers, patternsDisjoint } from './deny';

export interface ParseOptions {
  /** Throw PolicyParseError on anything IAM itself would reject, instead of a lint note. */
  strict?: boolean;
}

export class ParsedPolicy {
  private inferredKindValue: ResourceKind | undefined;
  constructor(
    /** The document as given (a top-level list is wrapped as { Statement: [...] }). */
    readonly document: PolicyDocument,
    readonly statements: readonly CompiledStatement[],
    /** False when `Statement` was a single object. */
    readonly statementIsArray: boolean,
    /** Oddities found while reading (empty for a well-formed policy). */
    readonly lint: readonly LintNote[],
  ) {}

  /** The kind the actions suggest (used when the caller gives none). */
  get inferredKind(): ResourceKind {
    return (this.inferredKindValue ??= inferKind(this.statements));
  }
}

/**
 * Parse a resource policy: a JSON string (also a JSON string that encodes a JSON
 * string, as SQS and SNS attributes do), a policy object, or an already parsed
 * policy (returned as is). Never refuses a JSON object: see grammar.ts. Throws
 * PolicyParseError (with `context.location`) for text that is not JSON, a value
 * that is not a policy, or — with `strict` — the first thing IAM would reject.
 */
export function parsePolicy(input: string | object, options?: ParseOptions): ParsedPolicy {
  if (input instanceof ParsedPolicy) return input;
  const lint = new Lint(options?.strict === true);
  const syntax = readDocument(input, lint);
  const statements = syntax.statements.map((s) => new CompiledStatement(s, lint));
  applyDenies(statements);
  return new ParsedPolicy(syntax.document as unknown as PolicyDocument, statements, syntax.statementIsArray, lint.notes);
}
