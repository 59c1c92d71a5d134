/**
 * The IAM actions of the Access Analyzer checks a control may run before it writes a policy
 * (lib/verify/access-analyzer-checks.ts). Kept apart from the checks so that the control catalog
 * can declare them without carrying the Access Analyzer client.
 */
export const ACCESS_ANALYZER_CHECK_PERMISSIONS = ['access-analyzer:CheckNoNewAccess', 'access-analyzer:CheckNoPublicAccess'] as const;
