/**
 * Reason texts that do not depend on the zone of trust, built once at parse time.
 */
import type { PrincipalEntry } from './principals';
import type { CompiledConditions } from './conditions';

export interface StatementFacts {
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly notPrincipal: boolean;
  readonly principals: readonly PrincipalEntry[];
  readonly principalText: string;
  readonly conditions: CompiledConditions;
}

export function actionText(s: Pick<StatementFacts, 'actions' | 'notAction'>): string {
  if (s.notAction) return `every action except ${s.actions.join(', ')}`;
  return s.actions.length === 1 ? (s.actions[0] as string) : s.actions.join(', ');
}

export function conditionText(s: StatementFacts): string {
  const listed = s.conditions.listed;
  if (listed.length === 0) return 'with no condition';
  const notes = s.conditions.notes;
  return `with ${listed.join(' AND ')}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}, which does not confine it to the zone`;
}

export function publicReason(s: StatementFacts): string {
  const missing = s.principals.find((p) => p.missing !== undefined)?.missing;
  if (s.notPrincipal) return `Allow with NotPrincipal grants ${actionText(s)} to everyone except ${s.principals.map((p) => p.label).join(', ')}`;
  if (missing) return `grants ${actionText(s)} to ${s.principalText}: without a fixed ${missing} condition anyone there can use it`;
  return `grants ${actionText(s)} to ${s.principalText} ${conditionText(s)}`;
}

export function denyReason(s: StatementFacts): string {
  return `Deny statement: grants nothing; ${s.conditions.listed.length > 0 ? `applies ${s.conditions.listed.join(' AND ')}` : 'applies without condition'}`;
}

export function deniedReason(s: StatementFacts, deniedBy: readonly number[]): string {
  return `would grant ${actionText(s)} to ${s.principalText}, but Deny statement${deniedBy.length > 1 ? 's' : ''} ${deniedBy.map((d) => `#${d}`).join(', ')} provably remove${deniedBy.length > 1 ? '' : 's'} that access`;
}
