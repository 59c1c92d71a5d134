/** The one ASL definition: valid, routed by name, and wired to functions that exist. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { functionKeysIn, readDefinition, resolveDefinition } from '../../local/definition';
import { TASK_FUNCTIONS } from '../../local/functions';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };

type State = { Type: string; Comment?: string; Next?: string; Default?: string; Catch?: { Next: string }[]; Choices?: { Next: string }[]; End?: boolean; ItemProcessor?: { States: Record<string, State> } };
const definition = readDefinition() as { StartAt: string; States: Record<string, State> };

describe('statemachines/remediation.asl.json', () => {
  it('is valid ASL as written and as deployed', () => {
    expect(aslValidator(definition)).toMatchObject({ isValid: true });
    const arns = Object.fromEntries(Object.keys(TASK_FUNCTIONS).map((k) => [k, `arn:aws:lambda:us-east-1:123456789012:function:x-${k}`]));
    expect(aslValidator(resolveDefinition(definition, arns))).toMatchObject({ isValid: true });
  });

  it('has every state of the design, Title Case, with Choice states as questions and a Comment on every Task', () => {
    for (const name of [
      'Classify Finding', 'Decision?', 'Request Approval', 'Approved?', 'Apply Corrective Control', 'Wait For Rescan', 'Check Resolution',
      'Resolved?', 'Notify Resolved', 'Escalate To On-Call', 'Escalate To Next Level', 'Archive Finding', 'Notify', 'Record Outcome', 'Record Failure', 'Remediation Failed',
    ]) {
      expect(definition.States, name).toHaveProperty([name]);
    }
    for (const [name, state] of Object.entries(definition.States)) {
      expect(name).toMatch(/^[A-Z][\w-]*( [A-Z][\w-]*)*\??$/);
      if (state.Type === 'Choice') expect(name.endsWith('?'), name).toBe(true);
      if (state.Type === 'Task') expect(state.Comment, name).toBeTruthy();
    }
  });

  it('catches every error of every Task that can write, so nothing fails silently', () => {
    for (const name of ['Apply Corrective Control', 'Check Resolution', 'Roll Back Change', 'Request Approval', 'Escalate To On-Call']) {
      const targets = (definition.States[name]?.Catch ?? []).map((c) => c.Next);
      expect(targets, name).toContain('Record Failure');
    }
  });

  it('turns input that cannot be classified into a recorded, named failure', () => {
    expect(definition.States['Classify Finding']?.Catch?.map((c) => c.Next)).toEqual(['Reject Input']);
    expect(definition.States['Reject Input']?.Next).toBe('Record Failure');
  });

  it('has no dangling transitions and every state is reachable', () => {
    const names = new Set(Object.keys(definition.States));
    const reachable = new Set<string>();
    const visit = (name: string): void => {
      if (reachable.has(name)) return;
      expect(names.has(name), `transition to unknown state ${name}`).toBe(true);
      reachable.add(name);
      const state = definition.States[name]!;
      [state.Next, state.Default, ...(state.Catch ?? []).map((c) => c.Next), ...(state.Choices ?? []).map((c) => c.Next)]
        .filter((n): n is string => Boolean(n))
        .forEach(visit);
    };
    visit(definition.StartAt);
    expect([...names].filter((n) => !reachable.has(n))).toEqual([]);
  });

  it('invokes only functions the local stack hosts and serverless.yml defines', () => {
    expect([...functionKeysIn(definition)].sort()).toEqual(Object.keys(TASK_FUNCTIONS).sort());
  });
});
