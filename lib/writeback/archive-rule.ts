/**
 * The proposed archive rule: when a finding is archived as intended access (mode `archive`), the
 * Access Analyzer archive rule that would have archived it, in archive-rule filter syntax, so that
 * "intended" becomes a rule in the analyzer rather than a one-off archive.
 *
 *   { "resource": { "eq": ["arn:aws:s3:::shared-reports"] },
 *     "resourceType": { "eq": ["AWS::S3::Bucket"] },
 *     "resourceOwnerAccount": { "eq": ["123456789012"] },
 *     "isPublic": { "eq": ["false"] },
 *     "principal.AWS": { "eq": ["111122223333"] } }
 *
 * The rule is as narrow as the finding: this resource, this owner, this kind of access, these
 * principals and conditions; a grant to anyone else still raises a finding. Pure: nothing is created,
 * the proposal is printed in the outcome and the notification for a human to adopt.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../finding';

export interface ArchiveRuleCriterion {
  eq?: string[];
  neq?: string[];
  contains?: string[];
  exists?: boolean;
}
export type ArchiveRuleFilter = Record<string, ArchiveRuleCriterion>;

export interface ProposedArchiveRule {
  /** `[A-Za-z][A-Za-z0-9_.-]*`, at most 255 characters, stable for one filter. */
  ruleName: string;
  /** The analyzer that reported the finding, when the event named it. */
  analyzerArn: string | null;
  filter: ArchiveRuleFilter;
}

/** Federated identity providers that appear as principals (principal.Federated). */
const FEDERATED = /(^|\.)(cognito-identity\.amazonaws\.com|accounts\.google\.com|graph\.facebook\.com|www\.amazon\.com)$|:saml-provider\/|:oidc-provider\//;
const CANONICAL_USER = /^[0-9a-f]{64}$/;

/** The archive rule that would have matched this finding, or why there is none (only Access Analyzer external-access findings have archive rules). */
export function proposedArchiveRule(finding: Finding, ruleId: string): { rule: ProposedArchiveRule } | { none: string } {
  const fromAnalyzer = finding.source === 'access-analyzer' || (finding.source === 'security-hub' && finding.labels.product === 'access-analyzer');
  if (!fromAnalyzer) return { none: `archive rules are an Access Analyzer feature; this finding came from ${finding.source}` };
  if (finding.type !== 'ExternalAccess') return { none: `archive rules here cover external-access findings, not ${finding.type}` };
  if (finding.resource.idOnly) return { none: 'the finding names its resource by id only: no rule can name it' };

  const filter: ArchiveRuleFilter = {
    resource: { eq: [finding.resource.arn] },
    resourceType: { eq: [finding.resource.type] },
    resourceOwnerAccount: { eq: [finding.resource.accountId] },
  };
  const exposure = finding.exposure;
  if (exposure) {
    filter.isPublic = { eq: [String(exposure.isPublic)] };
    const byKind = new Map<string, string[]>();
    for (const principal of [...new Set(exposure.principals)].sort()) {
      const key = principalKey(principal);
      byKind.set(key, [...(byKind.get(key) ?? []), principal]);
    }
    for (const [key, values] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) filter[key] = { eq: values.slice(0, 20) };
    for (const [key, value] of Object.entries(exposure.conditions).sort(([a], [b]) => a.localeCompare(b))) {
      // Only real condition keys (`aws:SourceVpc`); Security Hub's free-text "Condition" summary is not one.
      if (/^[A-Za-z0-9-]+:[A-Za-z0-9_:/-]+$/.test(key)) filter[`condition.${key}`] = { eq: [value] };
    }
  }
  return { rule: { ruleName: ruleNameFor(ruleId, filter), analyzerArn: finding.labels.analyzerArn ?? null, filter } };
}

function principalKey(principal: string): string {
  if (CANONICAL_USER.test(principal)) return 'principal.CanonicalUser';
  if (FEDERATED.test(principal)) return 'principal.Federated';
  return 'principal.AWS';
}

/** `remediator-<rule id>-<8 hex of the filter>`: the same finding shape always proposes the same name. */
export function ruleNameFor(ruleId: string, filter: ArchiveRuleFilter): string {
  const digest = createHash('sha256').update(JSON.stringify(filter)).digest('hex').slice(0, 8);
  const id = ruleId.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 200);
  return `remediator-${id}-${digest}`;
}

/** The proposal as text for an outcome or a message: the filter, and the command that would create the rule. */
export function archiveRuleText(rule: ProposedArchiveRule): string {
  const filter = JSON.stringify(rule.filter);
  const analyzerName = rule.analyzerArn?.split('/').pop() ?? '<analyzer-name>';
  const region = rule.analyzerArn?.split(':')[3];
  const quoted = `'${filter.replace(/'/g, `'\\''`)}'`;
  return `proposed archive rule ${rule.ruleName}: filter ${filter} (aws accessanalyzer create-archive-rule${region ? ` --region ${region}` : ''} --analyzer-name ${analyzerName} --rule-name ${rule.ruleName} --filter ${quoted})`;
}
