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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startLocalStack({ rescanWaitSeconds: 1 });
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
  return () => stack.stop();
}
