/**
 * Classify Finding = normalize (lib/sources) then triage (lib/rules), in one
 * task so the fix is written after two Lambda invocations. A finding version
 * is claimed for this execution so a duplicate delivery acts only once.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { AuditStore } from '../audit/store';
import type { Decision, Finding } from '../finding';
import { logger } from '../logger';
import { exceptionsFromTags } from '../rules/exceptions';
import { triage } from '../rules/triage';
import { describeError } from '../errors';
import { readResourceTags } from '../aws/resource-tags';
import { clients } from '../runtime/clients';
import { ouPaths } from '../runtime/ou-paths';
import type { RulesFile } from '../rules/schema';
import { normalizeEvent, type NormalizeOptions, type NormalizeResult, type RejectedFinding } from '../sources';
import { parseFanOutFinding } from '../sources/fan-out';
import { partitionOf } from '../sources/resource-arn';
import { authenticateManualRequest } from '../requests/authenticate';
import { auditStore } from '../runtime/audit';
import { rules } from '../runtime/rules';
import { settings } from '../runtime/settings';
import { defineTask } from './dispatch';
import type { RunState } from './state';

export interface ClassifyInput {
  /** The EventBridge event as delivered, or { remediator: 'finding', finding } from a fan-out. */
  event: unknown;
  execution: string;
}

export type ClassifyOutput = RunState | { batch: { findings: Finding[]; rejected: RejectedFinding[] } };

export interface ClassifyDeps {
  rules: RulesFile;
  audit: AuditStore;
  /** Where this copy of Remediator runs (Security Hub findings the direct rules deliver are not handled twice). */
  region: string;
  accountId: string | null;
  rescanWaitSeconds: number | null;
  /** Proves who sent a manual request (lib/requests/authenticate.ts); refuses it otherwise. */
  authenticate: (finding: Finding) => Promise<Finding>;
  /** The resource's tags, read only when the rules file allows exceptions by tag (`exceptionTags.allow`). */
  readTags?: (finding: Finding) => Promise<Record<string, string>>;
  /** The OUs above an account, nearest first (only asked when the rules file opts accounts in by OU). */
  ouPathOf?: (accountId: string) => Promise<readonly string[]>;
  now?: () => Date;
}

const ACTING = new Set<Decision['action']>(['REMEDIATE', 'APPROVE']);

export async function classify(input: ClassifyInput, deps: ClassifyDeps): Promise<ClassifyOutput> {
  const options: NormalizeOptions = {
    partition: partitionOf(deps.region),
    ...(deps.rules.homeRegion ? { homeRegion: deps.rules.homeRegion } : {}),
    ...(deps.accountId ? { deployment: { accountId: deps.accountId, region: deps.region } } : {}),
  };
  const findings = findingsOf(input.event, options);
  if (findings.kind === 'ignored') {
    return { decision: ignoredDecision(deps.rules, findings.reason) };
  }
  const rejected = findings.rejected ?? [];
  if (rejected.length) logger.warn('findings rejected from a multi-finding event', { rejected, executionArn: input.execution });
  if (findings.findings.length === 0) {
    return { decision: ignoredDecision(deps.rules, `no finding of this event can be handled (${rejected.length} rejected)`), ...(rejected.length ? { rejected } : {}) };
  }
  if (findings.findings.length > 1) {
    return { batch: { findings: findings.findings, rejected } };
  }
  const finding = await deps.authenticate(findings.findings[0] as Finding);
  if (finding.request?.rollbackOf) {
    const decision: Decision = { ...ignoredDecision(deps.rules, `rollback of change ${finding.request.rollbackOf} requested by ${finding.request.requestedBy}`), action: 'ROLLBACK', ruleId: 'manual-rollback' };
    logger.info('classified', { findingId: finding.id, resourceArn: finding.resource.arn, action: decision.action, executionArn: input.execution });
    return { finding, decision };
  }
  const tagged = await tagExceptions(finding, deps);
  const ouPath = await ouPathFor(finding, deps);
  let decision = triage(finding, tagged.rules, {
    accountId: deps.accountId,
    rescanWaitSeconds: deps.rescanWaitSeconds,
    ...(deps.now ? { now: deps.now() } : {}),
    ...(ouPath ? { ouPathOf: (id: string) => (id === finding.resource.accountId ? ouPath : undefined) } : {}),
  });
  if (tagged.note && decision.action !== 'EXCEPTED') decision = { ...decision, reason: `${decision.reason}; ${tagged.note}` };
  if (ACTING.has(decision.action)) {
    const owner = await deps.audit.claimFinding(findingKey(finding), input.execution);
    if (owner !== input.execution) {
      decision = { ...decision, action: 'IGNORE', reason: `duplicate delivery: this finding version is handled by ${owner}` };
    }
  }
  logger.info('classified', { findingId: finding.id, resourceArn: finding.resource.arn, action: decision.action, ruleId: decision.ruleId, executionArn: input.execution });
  return {
    finding,
    decision,
    // An approval may be asked again when the plan changes under it (Ask Again? in the ASL counts the rounds).
    ...(decision.action === 'APPROVE' ? { rounds: { approval: 1 } } : {}),
    ...(rejected.length ? { rejected } : {}),
  };
}

/**
 * Exceptions by resource tag, when the rules file allows them: the tags become ordinary exceptions for this
 * resource (lib/rules/exceptions.ts decides whether they qualify). Tags that cannot be read except nothing: an
 * exception nobody can verify does not stop a fix. Only resources of this deployment's account are read.
 */
async function tagExceptions(finding: Finding, deps: ClassifyDeps): Promise<{ rules: RulesFile; note?: string }> {
  const settings = deps.rules.exceptionTags;
  if (!settings.allow || !deps.readTags || finding.resource.idOnly || (deps.accountId && finding.resource.accountId !== deps.accountId)) return { rules: deps.rules };
  let tags: Record<string, string>;
  try {
    tags = await deps.readTags(finding);
  } catch (error) {
    logger.warn('could not read the resource tags; no exception by tag applies', { resourceArn: finding.resource.arn, error: describeError(error) });
    return { rules: deps.rules, note: `the resource's tags could not be read (${describeError(error).message}): no exception by tag applies` };
  }
  const { exceptions, refused } = exceptionsFromTags(finding.resource.arn, tags, settings, deps.now?.() ?? new Date());
  return { rules: { ...deps.rules, exceptions: [...deps.rules.exceptions, ...exceptions] }, ...(refused.length ? { note: refused.join('; ') } : {}) };
}

/** The OU path of the finding's account when the rules file opts accounts in by OU; undefined (fail closed: notified) when it cannot be read. */
async function ouPathFor(finding: Finding, deps: ClassifyDeps): Promise<readonly string[] | undefined> {
  const accounts = deps.rules.accounts;
  if (!deps.ouPathOf || !accounts || typeof accounts !== 'object' || Array.isArray(accounts) || finding.resource.accountId === deps.accountId) return undefined;
  try {
    return await deps.ouPathOf(finding.resource.accountId);
  } catch (error) {
    logger.warn('could not read the OU path of the account; it is treated as not opted in', { accountId: finding.resource.accountId, error: describeError(error) });
    return undefined;
  }
}

/** source + id + a hash of what makes this version of the finding new. */
export function findingKey(finding: Finding): string {
  const version = createHash('sha256').update(`${finding.status}|${finding.observedAt}`).digest('hex').slice(0, 16);
  return `${finding.source}#${finding.id}#${version}`;
}

function findingsOf(event: unknown, options: NormalizeOptions): NormalizeResult {
  const envelope = event as { remediator?: unknown; finding?: unknown } | null;
  if (envelope && typeof envelope === 'object' && envelope.remediator === 'finding') {
    return { kind: 'findings', findings: [parseFanOutFinding(envelope.finding, options)] };
  }
  return normalizeEvent(event, options);
}

function ignoredDecision(rules: RulesFile, reason: string): Decision {
  return {
    action: 'IGNORE',
    controlId: null,
    mode: 'notify',
    ruleId: 'source',
    reason,
    route: rules.routes.default,
    rescan: rules.defaults.rescan,
    escalation: rules.defaults.escalation,
    approval: rules.defaults.approval,
  };
}

/** Classify Finding: its "state" is the event as delivered (lib/sources validates it, with named errors). */
export const classifyFindingTask = defineTask('classify-finding', z.unknown(), (input) =>
  classify(
    { event: input.state, execution: input.execution },
    {
      rules: rules(),
      audit: auditStore(),
      region: settings().region,
      accountId: settings().accountId,
      rescanWaitSeconds: settings().rescanWaitSeconds,
      authenticate: (finding) => {
        const { region, accountId, localEndpoint } = settings();
        return authenticateManualRequest(finding, { region, accountId, ...(localEndpoint ? { localEndpoint } : {}) });
      },
      readTags: (finding) => readResourceTags(finding.resource.arn, clients()),
      ouPathOf: (accountId) => ouPaths().of(accountId),
    },
  ),
);
