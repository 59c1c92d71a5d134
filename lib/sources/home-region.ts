/**
 * Home region: the one fact "is this IAM finding handled here". IAM is global, and
 * IAM Access Analyzer reports the same role or user from every region where an analyzer
 * runs; only the home region (the rules file's `homeRegion`) acts on those. Every other
 * source reports a regional event about the entity (GuardDuty: a call made in that region;
 * Config: an evaluation; manual: an operator's request) and is handled wherever it arrives.
 *
 * Used by the Access Analyzer and Security Hub normalizers, by triage, and by
 * eventbridge/patterns.ts, whose IAM rules are generated from GLOBAL_IAM_TYPES.
 */
import type { Finding } from '../finding';

/** The IAM resource types that every regional analyzer reports: listed once, here. */
export const GLOBAL_IAM_TYPES: readonly string[] = ['AWS::IAM::Role', 'AWS::IAM::User'];

export function isGlobalIamType(resourceType: string): boolean {
  return GLOBAL_IAM_TYPES.includes(resourceType);
}

/**
 * How the finding reached Remediator:
 * - `access-analyzer`: Access Analyzer's own event (its EventBridge rule matches the home region only);
 * - `security-hub/access-analyzer`: Access Analyzer's finding as Security Hub imported it — a copy of
 *   what the home region's direct rule delivers, so never handled from Security Hub;
 * - `regional`: any other source.
 */
export type IamReporter = 'access-analyzer' | 'security-hub/access-analyzer' | 'regional';

export interface IamFindingWhere {
  resourceType: string;
  reporter: IamReporter;
  /** The region the finding was reported in. */
  region: string;
}

/**
 * Undefined when this deployment handles the finding; otherwise why not. Without a home
 * region every finding is handled (one deployment, one region).
 */
export function whyNotHandledHere(where: IamFindingWhere, homeRegion: string | undefined): string | undefined {
  if (!homeRegion || !isGlobalIamType(where.resourceType) || where.reporter === 'regional') return undefined;
  if (where.reporter === 'security-hub/access-analyzer') {
    return `IAM Access Analyzer IAM findings arrive through the direct rule of the home region ${homeRegion}, not through Security Hub`;
  }
  if (where.region !== homeRegion) {
    return `IAM findings are acted on in the home region ${homeRegion} only, not in ${where.region}`;
  }
  return undefined;
}

export function isIamFindingHandledHere(where: IamFindingWhere, homeRegion: string | undefined): boolean {
  return whyNotHandledHere(where, homeRegion) === undefined;
}

/** The label Security Hub findings carry with the product that reported them (e.g. `access-analyzer`). */
export const PRODUCT_LABEL = 'product';

/** The reporter of a normalized finding, from its source (and, for Security Hub, its product label). */
export function iamReporterOf(finding: Pick<Finding, 'source' | 'labels'>): IamReporter {
  if (finding.source === 'access-analyzer') return 'access-analyzer';
  if (finding.source === 'security-hub' && finding.labels[PRODUCT_LABEL] === 'access-analyzer') return 'security-hub/access-analyzer';
  return 'regional';
}
