/**
 * The authoritative rescan for AWS Config findings. After a write, `requestConfigReevaluation` asks
 * Config to evaluate the rule again now (StartConfigRulesEvaluation); `configCompliance` then reads
 * the rule's verdict on the resource (GetComplianceDetailsByResource). The emulator has neither API:
 * the unit tests cover them with aws-sdk-client-mock.
 *
 * The deployed rule name (a conformance pack's `<rule>-conformance-pack-<id>`) is what Config
 * knows; the finding's `type` is the managed rule name. The name comes from the `configRuleName`
 * label when the normalizer keeps it, else from the finding id the Config normalizer builds
 * (`config/<account>/<region>/<rule name>/<resource type>/<resource id>`), else from `type`.
 */
import { ConfigServiceClient, GetComplianceDetailsByResourceCommand, StartConfigRulesEvaluationCommand } from '@aws-sdk/client-config-service';
import type { AwsClients } from '../aws/clients';
import { awsErrorName, toRemediatorError } from '../aws/errors';
import { configRuleKey } from '../controls/mapping';
import type { Finding } from '../finding';

export type ConfigComplianceStatus = 'COMPLIANT' | 'NON_COMPLIANT';

const CONFIG_FINDING_ID = /^config\/\d{12}\/[a-z0-9-]+\/([^/]+)\/(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)\/(.+)$/;

/** The rule as deployed in Config. */
export function configRuleNameOf(finding: Finding): string {
  return finding.labels.configRuleName ?? CONFIG_FINDING_ID.exec(finding.id)?.[1] ?? finding.type;
}

/** The resource id Config evaluates (a bucket name, a group id, an IAM user's unique id…). */
export function configResourceIdOf(finding: Finding): string {
  if (finding.labels.configResourceId) return finding.labels.configResourceId;
  const fromId = CONFIG_FINDING_ID.exec(finding.id)?.[3];
  if (fromId) return fromId;
  // Security Hub copies: the ARN's last segment is the id Config uses for the types we change.
  const resource = finding.resource.arn.split(':').slice(5).join(':');
  return resource.replace(/^[a-z-]+[/:]/, '');
}

/**
 * Ask Config to evaluate the finding's rule again now. IN_PROGRESS when Config answers
 * LimitExceededException, which for this API means an evaluation is already running or one was
 * started less than a minute ago: either way the rule is being evaluated again.
 */
export async function requestConfigReevaluation(clients: AwsClients, finding: Finding): Promise<'STARTED' | 'IN_PROGRESS'> {
  const rule = configRuleNameOf(finding);
  try {
    await clients.get(ConfigServiceClient).send(new StartConfigRulesEvaluationCommand({ ConfigRuleNames: [rule] }));
    return 'STARTED';
  } catch (error) {
    if (awsErrorName(error) === 'LimitExceededException') return 'IN_PROGRESS';
    throw toRemediatorError(error, `asking Config to re-evaluate ${rule}`, { findingId: finding.id, resourceArn: finding.resource.arn });
  }
}

/**
 * The rule's verdict on the resource; null while Config has none (not evaluated yet, not applicable, insufficient data).
 * The deployed rule's own result counts. When Config has none under that name — a Security Hub copy names only the
 * managed rule, while the deployed rule is a conformance pack's or Security Hub's spelling of it — the results of every
 * deployment of the same managed rule count together: NON_COMPLIANT if any says so, COMPLIANT only if all do.
 */
export async function configCompliance(clients: AwsClients, finding: Finding): Promise<ConfigComplianceStatus | null> {
  const rule = configRuleNameOf(finding);
  const resourceId = configResourceIdOf(finding);
  const config = clients.get(ConfigServiceClient);
  const verdicts: { rule: string; status: string | undefined }[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await config.send(
        new GetComplianceDetailsByResourceCommand({ ResourceType: finding.resource.type, ResourceId: resourceId, ...(token ? { NextToken: token } : {}) }),
      );
      for (const result of page.EvaluationResults ?? []) {
        const name = result.EvaluationResultIdentifier?.EvaluationResultQualifier?.ConfigRuleName;
        if (name) verdicts.push({ rule: name, status: result.ComplianceType });
      }
      token = page.NextToken;
    } while (token);
  } catch (error) {
    throw toRemediatorError(error, `reading the ${rule} verdict on ${resourceId}`, { findingId: finding.id, resourceArn: finding.resource.arn });
  }
  const exact = verdicts.filter((v) => v.rule === rule);
  const managed = configRuleKey(rule);
  const counted = exact.length ? exact : verdicts.filter((v) => configRuleKey(v.rule) === managed);
  if (!counted.length) return null;
  if (counted.some((v) => v.status === 'NON_COMPLIANT')) return 'NON_COMPLIANT';
  return counted.every((v) => v.status === 'COMPLIANT') ? 'COMPLIANT' : null;
}
