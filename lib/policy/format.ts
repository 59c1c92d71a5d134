/**
 * formatAnalysis: a readable verdict, statement by statement.
 */
import type { PolicyAnalysis, StatementVerdictCode } from './types';

const LABELS: Record<StatementVerdictCode, string> = {
  public: 'PUBLIC',
  'cross-account': 'CROSS-ACCOUNT',
  'service-risk': 'SERVICE RISK (confused deputy; not external access)',
  trusted: 'TRUSTED',
  'trusted-by-condition': 'TRUSTED BY CONDITION',
  'deny-covered': 'DENY-COVERED',
  'blocked-by-bpa': 'BLOCKED BY BPA',
  deny: 'DENY',
};

function headline(a: PolicyAnalysis): string {
  if (!a.exposed) {
    const risk = a.risks.length > 0 ? ` ${a.risks.length} service grant${a.risks.length > 1 ? 's have' : ' has'} no confused-deputy condition (risk note).` : '';
    return `NOT EXPOSED: nothing outside the zone of trust can reach this resource.${risk}`;
  }
  const parts: string[] = [];
  if (a.isPublic) parts.push('anyone (public)');
  if (a.externalAccounts.length > 0) parts.push(`account${a.externalAccounts.length > 1 ? 's' : ''} ${a.externalAccounts.join(', ')}`);
  const others = new Set<string>();
  for (const f of a.findings) for (const p of f.principals) others.add(p);
  if (others.size > 0) parts.push([...others].join(', '));
  return `${a.isPublic ? 'PUBLIC' : 'CROSS-ACCOUNT'}: reachable by ${parts.join('; ')}.`;
}

export function formatAnalysis(analysis: PolicyAnalysis): string {
  const lines: string[] = [`Verdict (${analysis.kind}): ${headline(analysis)}`];
  if (analysis.statements.length > 0) {
    lines.push('', 'Statements:');
    for (const s of analysis.statements) {
      const name = s.sid ? ` "${s.sid}"` : '';
      lines.push(`  #${s.statementIndex}${name} ${s.effect} — ${LABELS[s.verdict]}`);
      lines.push(`      ${s.reason}`);
    }
  }
  const acl = analysis.findings.filter((f) => f.source === 'acl');
  if (acl.length > 0) {
    lines.push('', 'Bucket ACL:');
    for (const f of acl) lines.push(`  ${f.access.toUpperCase()}: ${f.reason}`);
  }
  if (analysis.notes.length > 0) {
    lines.push('', 'Notes:');
    for (const n of analysis.notes) lines.push(`  - ${n}`);
  }
  return `${lines.join('\n')}\n`;
}
