/**
 * Vitest globalSetup for the emulator and workflow projects: one local stack
 * (moto + function host + Slack stand-in) for the whole run, stopped after it.
 * Tests reach it through `inject('localStack')`.
 */
import type { TestProject } from 'vitest/node';
import { startLocalStack, type LocalStack } from '../../local/stack';

/** What tests in worker processes need of the stack: plain data, no handles. */
function infoOf(stack: LocalStack) {
  const { endpoint, region, accountId, stateMachineArn, remediationRoleArn, auditTable, approvalsTable, interactionsUrl } = stack;
  return { endpoint, region, accountId, stateMachineArn, remediationRoleArn, auditTable, approvalsTable, interactionsUrl, slackUrl: stack.slack.url, signingSecret: stack.slack.signingSecret, botToken: stack.slack.botToken };
}
export type LocalStackInfo = ReturnType<typeof infoOf>;

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: LocalStackInfo;
  }
}

/**
 * One stack per vitest process, shared by the projects that need it: the
 * function host runs in this process and reads its settings from
 * process.env, so two stacks side by side would cross their wires.
 */
const shared = globalThis as typeof globalThis & { __remediatorStack?: { stack: ReturnType<typeof startLocalStack>; users: number } };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.__remediatorStack ??= { stack: startLocalStack({ rescanWaitSeconds: 1 }), users: 0 };
  shared.__remediatorStack.users += 1;
  const stack = await shared.__remediatorStack.stack;
  project.provide('localStack', infoOf(stack));
  return async () => {
    const entry = shared.__remediatorStack;
    if (!entry) return;
    entry.users -= 1;
    if (entry.users === 0) {
      shared.__remediatorStack = undefined;
      await stack.stop();
    }
  };
}
