/**
 * Ask Again? and Count Approval Round, cut out of the generated definition and
 * run by the emulator's Step Functions (its intrinsic MathAdd and IsPresent), with
 * Request Approval and Record And Notify replaced by end states: the rounds are
 * counted in the ASL, and the third changed plan ends the asking.
 */
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../local/fixtures';
import { MAX_APPROVAL_ROUNDS, buildDefinition } from '../../statemachines/definition';
import { useLocalStack } from '../support/emulator';
import { path, runToEnd, startExecution } from './helpers';

const stack = useLocalStack();
const sfn = new SFNClient(stack.clientConfig);
let machineArn: string;

beforeAll(async () => {
  const states = (buildDefinition() as { States: Record<string, unknown> }).States;
  const fragment = {
    StartAt: 'Ask Again?',
    States: {
      'Ask Again?': states['Ask Again?'],
      'Count Approval Round': states['Count Approval Round'],
      'Request Approval': { Type: 'Succeed' },
      'Record And Notify': { Type: 'Succeed' },
    },
  };
  const created = await sfn.send(
    new CreateStateMachineCommand({ name: uniqueName('approval-rounds'), roleArn: `arn:aws:iam::${stack.accountId}:role/remediator-local-state-machine`, definition: JSON.stringify(fragment) }),
  );
  machineArn = created.stateMachineArn!;
});

describe('a plan that changed under an approval', () => {
  it.each([
    [1, ['Ask Again?', 'Count Approval Round', 'Request Approval'], 2],
    [MAX_APPROVAL_ROUNDS - 1, ['Ask Again?', 'Count Approval Round', 'Request Approval'], MAX_APPROVAL_ROUNDS],
    [MAX_APPROVAL_ROUNDS, ['Ask Again?', 'Record And Notify'], MAX_APPROVAL_ROUNDS],
  ])('after round %i goes %j, counting round %i', async (round, expected, next) => {
    const result = await runToEnd(sfn, await startExecution(sfn, machineArn, { rounds: { approval: round }, planChanged: { Error: 'PlanChangedError', Cause: 'moved' } }, 'rounds'));
    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).toEqual(expected);
    expect(result.output).toMatchObject({ rounds: { approval: next }, planChanged: { Error: 'PlanChangedError' } });
  });

  it('stops asking when the state carries no round count (a plan change without an approval)', async () => {
    const result = await runToEnd(sfn, await startExecution(sfn, machineArn, { planChanged: { Error: 'PlanChangedError', Cause: 'moved' } }, 'rounds'));
    expect(path(result)).toEqual(['Ask Again?', 'Record And Notify']);
  });
});
