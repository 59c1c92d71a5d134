/**
 * Archive Finding: intended access by rule (lib/findings/archive.ts). The outcome also carries the
 * Access Analyzer archive rule that would have matched (lib/writeback/archive-rule.ts), since
 * "intended" should become a rule, not a one-off archive.
 */
import { archiveFinding } from '../findings/archive';
import type { AwsClients } from '../aws/clients';
import { clients } from '../runtime/clients';
import { archiveRuleText, proposedArchiveRule } from '../writeback/archive-rule';
import { defineTask } from './dispatch';
import { DecidedStateSchema, type DecidedState, type RunState } from './state';
import type { TaskInput } from './types';

export async function archiveFindingState(input: TaskInput<DecidedState>, deps: { clients: AwsClients }): Promise<RunState> {
  const { state } = input;
  const archived = await archiveFinding(state.finding, state.decision.ruleId, deps.clients);
  const proposal = proposedArchiveRule(state.finding, state.decision.ruleId);
  return { ...state, archive: { ...archived, reason: 'rule' in proposal ? `${archived.reason}; ${archiveRuleText(proposal.rule)}` : archived.reason } };
}

export const archiveFindingTask = defineTask('archive-finding', DecidedStateSchema, (input) => archiveFindingState(input, { clients: clients() }));
