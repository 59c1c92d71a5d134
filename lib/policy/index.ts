/**
 * The policy analyzer (DESIGN.md §4): parse a resource policy, find who
 * outside a zone of trust can reach the resource, and build the fixes that
 * close it. See README.md in this folder for the semantics and the choices
 * behind them (service principals, wildcards, Deny subtraction, networks).
 *
 * One engine for triage ("is this finding still true?"), for the pre-write
 * check ("is the policy I am about to write closed?"), and for the local
 * stand-in of an Access Analyzer rescan.
 */
export type {
  ZoneOfTrust,
  ResourceKind,
  S3PublicAccessBlock,
  S3AclGrant,
  AnalyzeOptions,
  PolicyAnalysis,
  ExternalAccessFinding,
  StatementVerdict,
  StatementVerdictCode,
  AccessClass,
  PolicyDocument,
  PolicyStatement,
  PrincipalValue,
  ConditionValue,
  MinimalFix,
  MinimalFixOptions,
  LintNote,
  ServiceRiskNote,
  DenyAllArgs,
} from './types';
export { RESOURCE_KINDS } from './types';
export { ParsedPolicy, parsePolicy } from './parse';
export { analyzePolicy } from './analyze';
export { buildMinimalFix, buildDenyAllPolicy } from './fix';
export { formatAnalysis } from './format';
