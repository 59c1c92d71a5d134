/**
 * Vitest globalSetup for the emulator and workflow projects: one local stack
 * (moto + function host + Slack stand-in) for the whole run, stopped after it.
 * Tests reach it through `inject('localStack')`.
 */
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../local/stack';

export interface LocalStackInfo {
  endpoint: string;
  region: string;
  accountId: string;
  stateMachineArn: string;
  remediationRoleArn: string;
  auditTable: string;
  approvalsTable: string;
  slackUrl: string;
  signingSecret: string;
  botToken: string;
  interactionsUrl: string;
}

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
  project.provide('localStack', {
    endpoint: stack.endpoint,
    region: stack.region,
    accountId: stack.accountId,
    stateMachineArn: stack.stateMachineArn,
    remediationRoleArn: stack.remediationRoleArn,
    auditTable: stack.auditTable,
    approvalsTable: stack.approvalsTable,
    slackUrl: stack.slack.url,
    signingSecret: stack.slack.signingSecret,
    botToken: stack.slack.botToken,
    interactionsUrl: stack.interactionsUrl,
  });
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
