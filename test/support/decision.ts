import { DecisionSchema, type Decision } from '../../lib/finding';

/**
 * A decision as triage makes it, for tests that start after Classify Finding: remediate automatically with
 * s3-deny-all-bucket-policy, routed to one channel and one approver. Overrides replace whole fields.
 */
export function decision(overrides: Partial<Decision> = {}): Decision {
  return DecisionSchema.parse({
    action: 'REMEDIATE',
    mode: 'auto',
    controlId: 's3-deny-all-bucket-policy',
    ruleId: 'public-buckets',
    reason: 'rule public-buckets',
    route: { slackChannel: '#security', approvers: ['U0ONCALL'] },
    rescan: { waitSeconds: 0, maxAttempts: 1 },
    escalation: { timeoutSeconds: 600 },
    approval: { timeoutSeconds: 600 },
    ...overrides,
  });
}
