/**
 * Runtime settings of the deployed (or local) stack, read from the
 * environment that serverless.yml (or local/stack.ts) sets. Read lazily so
 * tests can set the environment before the first use.
 */
import { RemediatorError } from './errors';

export interface RuntimeSettings {
  auditTable: string;
  approvalsTable: string;
  /** ARN of the role Remediator's functions run as: always exempted from deny-all policies. */
  remediationRoleArn: string | null;
  slack: { botToken: string | null; signingSecret: string | null; apiUrl: string | null };
  /** Overrides the rules file's rescan wait (the demo uses a few seconds). */
  rescanWaitSeconds: number | null;
}

export function runtimeSettings(env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  return {
    auditTable: required(env, 'REMEDIATOR_AUDIT_TABLE'),
    approvalsTable: required(env, 'REMEDIATOR_APPROVALS_TABLE'),
    remediationRoleArn: env.REMEDIATOR_REMEDIATION_ROLE_ARN || null,
    slack: {
      botToken: env.SLACK_BOT_TOKEN || null,
      signingSecret: env.SLACK_SIGNING_SECRET || null,
      apiUrl: env.SLACK_API_URL || null,
    },
    rescanWaitSeconds: env.REMEDIATOR_RESCAN_WAIT_SECONDS ? Number(env.REMEDIATOR_RESCAN_WAIT_SECONDS) : null,
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new RemediatorError(`environment variable ${name} is not set`, { context: { variable: name } });
  return value;
}
