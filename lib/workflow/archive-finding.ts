/** Archive Finding: intended access by rule (lib/findings/archive.ts). */
import { archiveFinding } from '../findings/archive';
import type { AwsClients } from '../aws/clients';
import { clients } from '../runtime/clients';
import { defineTask } from './dispatch';
import { DecidedStateSchema, type DecidedState, type RunState } from './state';
import type { TaskInput } from './types';

export async function archiveFindingState(input: TaskInput<DecidedState>, deps: { clients: AwsClients }): Promise<RunState> {
  const { state } = input;
  return { ...state, archive: await archiveFinding(state.finding, state.decision.ruleId, deps.clients) };
}

export const archiveFindingTask = defineTask('archive-finding', DecidedStateSchema, (input) => archiveFindingState(input, { clients: clients() }));
