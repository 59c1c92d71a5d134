import type { AwsClients } from '../aws/clients';
import type { ControlContext } from '../controls/types';
import { ControlNotFoundError } from '../errors';
import type { Finding } from '../finding';
import { exemptPrincipalsFor, zoneFor } from '../rules/triage';
import type { RulesFile } from '../rules/schema';
import type { DecidedState } from './state';

export function controlContext(finding: Finding, rules: RulesFile, remediationRoleArn: string | null, clients: AwsClients, options: { accessAnalyzerChecks?: boolean } = {}): ControlContext {
  return {
    finding,
    zone: zoneFor(finding, rules),
    exemptPrincipalArns: exemptPrincipalsFor(finding, rules, remediationRoleArn),
    clients,
    ...(options.accessAnalyzerChecks ? { accessAnalyzerChecks: true } : {}),
  };
}

/** What a control state needs from the environment. */
export interface ControlDeps {
  rules: RulesFile;
  remediationRoleArn: string | null;
  clients: AwsClients;
  /** Deployed: Access Analyzer proves a planned policy before it is written (CheckNoPublicAccess / CheckNoNewAccess). */
  accessAnalyzerChecks?: boolean;
}

/** The control triage chose; a decision without one cannot plan, write or verify. */
export function controlOf(state: DecidedState, task: string): string {
  const controlId = state.decision.controlId;
  if (!controlId) throw new ControlNotFoundError(`${task}: the decision names no corrective control`, { context: { findingId: state.finding.id } });
  return controlId;
}
