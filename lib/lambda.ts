/**
 * The one wrapper every handler uses: middy with the structured logger's
 * Lambda context injected. Handlers stay thin: parse, call lib, shape output.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AuditStore } from './audit/store';
import { defaultClients } from './aws/clients';
import { runtimeSettings } from './config';
import { ApprovalStore } from './escalation/approval-store';
import { slackClient } from './escalation/slack-client';
import { logger } from './logger';
import { loadRules } from './rules/load';

export function lambdaHandler<TEvent, TResult>(fn: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy(fn).use(injectLambdaContext(logger, { clearState: true }));
}

/** Per-container dependencies, built on first use. */
export const deps = {
  settings: () => runtimeSettings(),
  rules: () => loadRules(),
  audit: memo(() => new AuditStore(runtimeSettings().auditTable, defaultClients())),
  approvals: memo(() => new ApprovalStore(runtimeSettings().approvalsTable, defaultClients())),
  sfn: memo(() => defaultClients().get(SFNClient)),
  slack: () => slackClient(),
  clients: () => defaultClients(),
};

function memo<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
