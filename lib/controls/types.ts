/**
 * A corrective control: one module, registered by id, whose facts (what it
 * handles, the IAM actions it needs: the deploy role is generated from these)
 * are its entry in lib/controls/catalog.ts. `snapshot` reads the fields it changes; `plan` reads the live resource and computes the exact change;
 * the runner (lib/controls/runner.ts) stores the ChangeRecord, then calls
 * `write`; `verify` re-fetches and re-checks; `restore` puts `before` back.
 */
import type { Finding } from '../finding';
import type { ZoneOfTrust } from '../policy';
import type { AwsClients } from '../aws/clients';
import type { ControlFacts } from './catalog';

/** The exact state of the fields a control changes: JSON text, or null for "there was none". */
export type ResourceState = Record<string, string | null>;

export interface ControlContext {
  finding: Finding;
  zone: ZoneOfTrust;
  /** Principals that a deny-all change must never lock out (remediation role, break-glass roles). */
  exemptPrincipalArns: string[];
  /** AWS clients acting in the resource's account (lib/aws/clients.ts). */
  clients: AwsClients;
  /** Deployed: also ask Access Analyzer (CheckNoPublicAccess, CheckNoNewAccess) before writing a policy. Off on the local stack, which has no Access Analyzer. */
  accessAnalyzerChecks?: boolean;
}

export interface ControlPlan {
  /** False when the live resource no longer needs the change (it is not an error). */
  applicable: boolean;
  reason: string;
  before: ResourceState;
  after: ResourceState;
  /** One line for people: shown in dry-run output and approval messages. */
  summary: string;
}

export interface VerifyOutcome {
  resolved: boolean;
  reason: string;
  /** What was re-fetched, for the audit trail. */
  observed: ResourceState;
}

/** A control is its facts (lib/controls/catalog.ts: id, what it handles, the IAM actions it calls) and this behaviour. */
export interface CorrectiveControl extends ControlFacts {
  /** The live state of the fields the control changes, exactly as `before` would record it. */
  snapshot(ctx: ControlContext): Promise<ResourceState>;
  plan(ctx: ControlContext): Promise<ControlPlan>;
  write(ctx: ControlContext, plan: ControlPlan): Promise<void>;
  verify(ctx: ControlContext): Promise<VerifyOutcome>;
  restore(ctx: ControlContext, before: ResourceState): Promise<void>;
}
