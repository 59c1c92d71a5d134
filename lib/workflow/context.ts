import type { AwsClients } from '../aws/clients';
import { memberAccountsOf, type MemberAccountClients } from '../aws/member-clients';
import { memberRoleArn, type MemberSession } from '../accounts/member-role';
import type { ControlContext } from '../controls/types';
import { ControlNotFoundError } from '../errors';
import type { Finding } from '../finding';
import { zoneOfTrustWith } from '../org/zone';
import { exemptPrincipalsFor } from '../rules/triage';
import type { RulesFile } from '../rules/schema';
import type { DecidedState } from './state';

export interface ControlContextOptions {
  accessAnalyzerChecks?: boolean;
  /** The execution and who it acts for: the member session's name and tags (member accounts only). */
  session?: { execution: string; actor: string };
  /** How member accounts are reached (default: from `clients` and the environment, lib/aws/member-clients.ts). */
  memberAccounts?: MemberAccountClients;
}

/**
 * What a control gets: clients acting in the resource's account (the deployment's own credentials
 * for its own account, the member role's for another), and the principals a deny-all must exempt
 * there: the member role in a member account, this deployment's role in its own; break-glass roles in both.
 * The zone of trust is the rules file's: an account zone, or the organization read from AWS Organizations (lib/org).
 */
export async function controlContext(
  finding: Finding,
  rules: RulesFile,
  remediationRoleArn: string | null,
  clients: AwsClients,
  options: ControlContextOptions = {},
): Promise<ControlContext> {
  const members = options.memberAccounts ?? memberAccountsOf(clients);
  const { accountId, region } = finding.resource;
  const member = members.isMember(accountId);
  const session: MemberSession = { execution: options.session?.execution ?? `remediator-${finding.id}`, findingId: finding.id, actor: options.session?.actor ?? 'auto' };
  const actingRoleArn = member ? memberRoleArn(accountId, region, members.settings.roleName) : remediationRoleArn;
  return {
    finding,
    // The deployment's own clients read the organization (the management or delegated-admin account), never a member's.
    zone: await zoneOfTrustWith(finding, rules, clients),
    exemptPrincipalArns: exemptPrincipalsFor(finding, rules, actingRoleArn),
    clients: members.forAccount(accountId, region, session),
    ...(options.accessAnalyzerChecks ? { accessAnalyzerChecks: true } : {}),
  };
}

/**
 * Who a human decision is recorded as: a Slack user id as `slack:U…`; a signed link already names itself
 * (`link:apr_…`, lib/escalation/link-endpoint.ts) and is kept as it is.
 */
export function deciderActor(decidedBy: string): string {
  return decidedBy.startsWith('link:') ? decidedBy : `slack:${decidedBy}`;
}

/** The member session of a task: the execution's name, and whoever decided (or `auto`). */
export function sessionOf(state: DecidedState, execution: string): { execution: string; actor: string } {
  const decidedBy = state.escalation?.decidedBy ?? state.approval?.decidedBy;
  const actor = decidedBy ? deciderActor(decidedBy) : (state.finding.request?.requestedBy ?? 'auto');
  return { execution: execution.split(':').pop() ?? execution, actor };
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
