/**
 * The approval link endpoint (the SNS fallback), served by the same function as the Slack endpoint:
 * `GET /approvals/<id>/<action>?expires=…&sig=…` checks the link and shows a confirmation page;
 * `POST` to the same URL (the page's button) takes the decision exactly as a Slack click does:
 * the same approval store, the same exactly-once decision and task-token resume (decide.ts),
 * recorded as decided by `link:<approval id>`.
 *
 * Why a confirmation step: mail scanners and link previews fetch every link in a message (GET);
 * a GET that approved would let a scanner approve a production change. GET never decides.
 *
 * Forged or malformed links: 401. Expired links, or an approval sent to Slack: 403. Already
 * decided (a replayed link, or the other answer after the first): 409. Nothing is resumed then.
 */
import { ApprovalNotPendingError, InvalidSlackRequestError, UnauthorizedApproverError, describeError } from '../errors';
import { logger } from '../logger';
import { ExpiredApprovalLinkError, InvalidApprovalLinkError, verifyLink, type LinkClaim } from './approval-link';
import type { ApprovalItem, ApprovalStore } from './approval-store';
import { DECISION_OF, ResumeFailedError, assertAnswers, decideAndResume, type DecideDeps } from './decide';

export interface LinkHttpRequest {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
}

export interface LinkHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface LinkDeps extends DecideDeps {
  signingKey: string;
  approvals: ApprovalStore;
}

/** Who a link decision is recorded as: the link, since an SNS topic's subscribers are not known by name. */
export const linkDecider = (approvalId: string): string => `link:${approvalId}`;

const LABEL: Record<LinkClaim['action'], string> = { approve: 'Approve', reject: 'Reject', acknowledge: 'Acknowledge', rollback: 'Roll back' };

export async function handleApprovalLink(request: LinkHttpRequest, deps: LinkDeps): Promise<LinkHttpResponse> {
  try {
    const claim = verifyLink({ path: request.path, query: request.query }, deps.signingKey, deps.nowMs);
    const approval = await pendingLinkApproval(claim, deps.approvals);
    if (request.method === 'GET') return page(200, `${LABEL[claim.action]}?`, confirmation(claim, approval, request));
    if (request.method !== 'POST') return page(405, 'Method not allowed', `<p>${escapeHtml(request.method)} is not an answer: open the link, then confirm.</p>`);
    const decided = await decideAndResume(approval, claim.action, linkDecider(claim.approvalId), deps);
    return page(
      200,
      'Decision recorded',
      `<p><strong>${escapeHtml(DECISION_OF[claim.action])}</strong> by ${escapeHtml(decided.decidedBy ?? '')} at ${escapeHtml(decided.decidedAt ?? '')}.</p>` +
        `<p>Remediation of <code>${escapeHtml(approval.resourceArn)}</code> goes on (execution <code>${escapeHtml(approval.executionArn)}</code>).</p>`,
    );
  } catch (error) {
    const status = statusOf(error);
    if (status === undefined) throw error;
    logger.warn('refused approval link', { error: describeError(error), status });
    return page(status, 'Not accepted', `<p>${escapeHtml((error as Error).message)}</p>`);
  }
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof InvalidApprovalLinkError) return 401;
  if (error instanceof ExpiredApprovalLinkError || error instanceof UnauthorizedApproverError) return 403;
  if (error instanceof ApprovalNotPendingError) return 409;
  if (error instanceof InvalidSlackRequestError) return 400;
  if (error instanceof ResumeFailedError) return 503;
  return undefined;
}

/** The approval the link answers, still waiting, and sent as links (an approval sent to Slack is answered in Slack only). */
async function pendingLinkApproval(claim: LinkClaim, approvals: ApprovalStore): Promise<ApprovalItem> {
  const approval = await approvals.get(claim.approvalId);
  if (!approval) throw new ApprovalNotPendingError(`approval ${claim.approvalId} does not exist (it expired and was removed, or never existed)`);
  if (approval.via !== 'link') throw new UnauthorizedApproverError(`approval ${claim.approvalId} was sent to Slack: answer it there`);
  assertAnswers(approval, claim.action);
  if (approval.status !== 'PENDING') {
    throw new ApprovalNotPendingError(`approval ${claim.approvalId} was already decided: ${approval.decision ?? ''} by ${approval.decidedBy ?? ''} at ${approval.decidedAt ?? ''}`);
  }
  return approval;
}

function confirmation(claim: LinkClaim, approval: ApprovalItem, request: LinkHttpRequest): string {
  const action = `${request.path}?${new URLSearchParams(Object.entries(request.query).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString()}`;
  return (
    `<p>${escapeHtml(LABEL[claim.action])} the ${approval.kind === 'approval' ? 'remediation' : 'escalation'} of <code>${escapeHtml(approval.resourceArn)}</code>` +
    `${approval.controlId ? ` with <code>${escapeHtml(approval.controlId)}</code>` : ''}?</p>` +
    (approval.plan ? `<p>${escapeHtml(approval.plan.summary)}</p>` : '') +
    `<p>This link expires at ${new Date(claim.expires * 1000).toISOString()}. The first decision confirmed wins.</p>` +
    `<form method="post" action="${escapeHtml(action)}"><button type="submit">${escapeHtml(LABEL[claim.action])}</button></form>`
  );
}

function page(statusCode: number, title: string, content: string): LinkHttpResponse {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The query string is a credential: never sent on as a referrer; the page is never framed (no clickjacked button).
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    },
    body: `<!doctype html><html><head><meta charset="utf-8"><title>Remediator — ${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`,
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
