/**
 * Triage: from a normalized Finding and the rules in force to a Decision.
 * The first matching rule wins; the last rule is the explicit default.
 * Expected outcomes (resolved, archived, sample, no control) are decisions,
 * never exceptions.
 */
import { whyNotOptedIn } from '../accounts/opt-in';
import { defaultModeFor } from '../controls/mapping';
import { getControlFacts } from '../controls/catalog';
import { controlHandles, findControlFor } from '../controls/select';
import type { Action, Decision, Finding, Mode, Route } from '../finding';
import type { ZoneOfTrust } from '../policy';
import { isNotifyOnlyFinding } from '../sources/access-analyzer';
import { iamReporterOf, whyNotHandledHere } from '../sources/home-region';
import { exceptionFor } from './exceptions';
import { firstMatchingRule } from './match';
import type { RulesFile } from './schema';

const ACTION_BY_MODE: Record<Mode, Action> = {
  auto: 'REMEDIATE',
  approve: 'APPROVE',
  'dry-run': 'DRY_RUN',
  notify: 'NOTIFY',
  archive: 'ARCHIVE',
};

export interface TriageOptions {
  /** The account this deployment runs in: other accounts are changed only when the rules file opts them in (`accounts`). */
  accountId?: string | null;
  /** The OU ids above an account, for `accounts: { ous }` (lib/accounts/opt-in.ts). */
  ouPathOf?: (accountId: string) => readonly string[] | undefined;
  rescanWaitSeconds?: number | null;
  /** The time exceptions are checked against (default: now). */
  now?: Date;
}

/**
 * A manual request may ask for less than the rules allow, never more: an operator can
 * dry-run or ask for approval where the rules say auto, but cannot turn notify into auto.
 */
const CAUTION: Record<Mode, number> = { auto: 0, approve: 1, 'dry-run': 2, notify: 3, archive: 4 };
export function requestedMode(ruleMode: Mode, requested: Mode | undefined): Mode {
  if (!requested || ruleMode === 'archive') return ruleMode;
  return CAUTION[requested] >= CAUTION[ruleMode] ? requested : ruleMode;
}

export function routeFor(finding: Finding, rules: RulesFile): Route {
  return rules.routes.accounts[finding.resource.accountId] ?? rules.routes.default;
}

export function zoneFor(finding: Finding, rules: RulesFile): ZoneOfTrust {
  const { accountIds, organizationId, organizationAccountIds } = rules.zoneOfTrust;
  return {
    accountIds: accountIds.length ? accountIds : [finding.resource.accountId],
    ...(organizationId ? { organizationId, organizationAccountIds } : {}),
  };
}

export function exemptPrincipalsFor(finding: Finding, rules: RulesFile, remediationRoleArn: string | null): string[] {
  const breakGlass = rules.breakGlassRoleNames.map((name) => `arn:aws:iam::${finding.resource.accountId}:role/${name.replace(/^\//, '')}`);
  return [...new Set([...(remediationRoleArn ? [remediationRoleArn] : []), ...breakGlass])];
}

export function triage(finding: Finding, rules: RulesFile, options: TriageOptions = {}): Decision {
  const base = {
    route: routeFor(finding, rules),
    rescan: {
      waitSeconds: options.rescanWaitSeconds ?? rules.defaults.rescan.waitSeconds,
      maxAttempts: rules.defaults.rescan.maxAttempts,
    },
    escalation: rules.defaults.escalation,
    approval: rules.defaults.approval,
  };
  const decide = (action: Action, mode: Mode, ruleId: string, reason: string, controlId: string | null = null): Decision => ({
    ...base,
    action,
    mode,
    ruleId,
    reason,
    controlId,
  });

  if (finding.status === 'RESOLVED') return decide('ALREADY_RESOLVED', 'notify', 'status', 'the source reports the finding as RESOLVED');
  if (finding.status === 'ARCHIVED') return decide('IGNORE', 'notify', 'status', 'the finding is ARCHIVED (intended access)');
  const notHere = whyNotHandledHere(
    { resourceType: finding.resource.type, reporter: iamReporterOf(finding), region: finding.resource.region },
    rules.homeRegion,
  );
  if (notHere) return decide('IGNORE', 'notify', 'home-region', notHere);

  const exception = exceptionFor(finding, rules.exceptions, options.now ?? new Date());
  if (exception.active) {
    const { entry, label } = exception.active;
    return decide('EXCEPTED', 'notify', label, `excepted by ${label} (owner ${entry.owner}, until ${entry.expires}): ${entry.reason}`);
  }
  const expired = exception.expired ? `; exception ${exception.expired.label} (owner ${exception.expired.entry.owner}) expired on ${exception.expired.entry.expires}` : '';

  const rule = firstMatchingRule(rules.rules, finding);
  if (!rule) return decide('NOTIFY', 'notify', 'none', `no rule matched (the rules file has no default rule)${expired}`);
  if (finding.sample && !rule.includeSamples) {
    return decide('IGNORE', 'notify', rule.id, `sample finding; rule ${rule.id} does not include samples`);
  }
  const why = `rule ${rule.id}${rule.description ? ` (${rule.description})` : ''}${expired}`;
  if (isNotifyOnlyFinding(finding)) return decide('NOTIFY', 'notify', rule.id, `${why}; ${finding.type} findings are notify-only`);
  const mode = requestedMode(rule.mode, finding.request?.mode);
  const action = ACTION_BY_MODE[mode];
  const asked = finding.request ? `; requested by ${finding.request.requestedBy}${finding.request.reason ? `: ${finding.request.reason}` : ''}` : '';
  if (action === 'NOTIFY' || action === 'ARCHIVE') return decide(action, mode, rule.id, `${why}${asked}`);

  const named = `${finding.resource.type} ${finding.resource.arn}`;
  if (finding.resource.idOnly) {
    return decide('NOTIFY', 'notify', rule.id, `${why}${asked}; ${finding.type} on ${named}: the source names this resource by id only, so no control can act on it`);
  }
  const notOptedIn = whyNotOptedIn(finding.resource.accountId, rules.accounts, { ownAccountId: options.accountId ?? null, ...(options.ouPathOf ? { ouPathOf: options.ouPathOf } : {}) });
  if (notOptedIn) return decide('NOTIFY', 'notify', rule.id, `${why}${asked}; ${notOptedIn}`);
  const controlId = finding.request?.controlId ?? rule.controlId;
  const control = controlId ? getControlFacts(controlId) : findControlFor(finding);
  if (!control || !controlHandles(control, finding)) {
    const what = controlId ? `control ${controlId} does not handle` : 'no corrective control handles';
    return decide('NOTIFY', 'notify', rule.id, `${why}${asked}; ${what} ${finding.resource.type} / ${finding.type} (resource ${finding.resource.arn})`);
  }
  // Some controls are cautious by default (deactivating an access key asks first): that can only add caution.
  const cautious = requestedMode(mode, defaultModeFor(finding));
  const cap = rule.maxPrincipalsRemoved === undefined ? {} : { maxPrincipalsRemoved: rule.maxPrincipalsRemoved };
  if (cautious !== mode) return { ...decide(ACTION_BY_MODE[cautious], cautious, rule.id, `${why}${asked}; ${control.id} asks for ${cautious} by default`, control.id), ...cap };
  return { ...decide(action, mode, rule.id, `${why}${asked}`, control.id), ...cap };
}
