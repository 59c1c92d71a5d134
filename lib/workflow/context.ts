import type { AwsClients } from '../aws/clients';
import type { ControlContext } from '../controls/types';
import type { Finding } from '../finding';
import { exemptPrincipalsFor, zoneFor } from '../rules/triage';
import type { RulesFile } from '../rules/schema';

export function controlContext(finding: Finding, rules: RulesFile, remediationRoleArn: string | null, clients: AwsClients): ControlContext {
  return { finding, zone: zoneFor(finding, rules), exemptPrincipalArns: exemptPrincipalsFor(finding, rules, remediationRoleArn), clients };
}
