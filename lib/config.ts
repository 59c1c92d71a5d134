/**
 * Runtime settings of the deployed (or local) stack, read from the
 * environment that serverless.yml (or local/stack.ts) sets. Read lazily so
 * tests can set the environment before the first use.
 */
import { RemediatorError } from './errors';

export interface RuntimeSettings {
  auditTable: string;
  approvalsTable: string;
  /** Where this copy of Remediator runs (Lambda sets AWS_REGION). */
  region: string;
  /** The account it runs in: it changes resources of this account only. */
  accountId: string | null;
  /** ARN of the role Remediator's functions run as: always exempted from deny-all policies. */
  remediationRoleArn: string | null;
  /** Overrides the rules file's rescan wait (the demo uses a few seconds). */
  rescanWaitSeconds: number | null;
  /** Ask Access Analyzer to rescan, and to agree, before a finding counts as resolved (not on the local stack). */
  accessAnalyzerRescan: boolean;
  /** The local emulator's endpoint (the local stack only): AWS calls, and identity proofs, go there. */
  localEndpoint: string | null;
  /** Without Slack: the SNS topic approval requests go to, with signed links (REMEDIATOR_APPROVAL_TOPIC_ARN). */
  approvalTopicArn: string | null;
  /** The public base URL of the interaction endpoint that serves the links (REMEDIATOR_APPROVAL_LINK_BASE_URL). */
  approvalLinkBaseUrl: string | null;
}

export function runtimeSettings(env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  return {
    auditTable: required(env, 'REMEDIATOR_AUDIT_TABLE'),
    approvalsTable: required(env, 'REMEDIATOR_APPROVALS_TABLE'),
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    accountId: env.REMEDIATOR_ACCOUNT_ID || null,
    remediationRoleArn: env.REMEDIATOR_REMEDIATION_ROLE_ARN || null,
    rescanWaitSeconds: env.REMEDIATOR_RESCAN_WAIT_SECONDS ? Number(env.REMEDIATOR_RESCAN_WAIT_SECONDS) : null,
    accessAnalyzerRescan: env.REMEDIATOR_RESCAN_SOURCE === 'access-analyzer',
    localEndpoint: env.REMEDIATOR_AWS_ENDPOINT || null,
    approvalTopicArn: env.REMEDIATOR_APPROVAL_TOPIC_ARN || null,
    approvalLinkBaseUrl: env.REMEDIATOR_APPROVAL_LINK_BASE_URL || null,
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new RemediatorError(`environment variable ${name} is not set`, { context: { variable: name } });
  return value;
}
