import { describe, expect, it } from 'vitest';
import { ExpiredApprovalLinkError, InvalidApprovalLinkError, LINK_ACTIONS, approvalLink, signLink, verifyLink, type LinkClaim } from '../../../lib/escalation/approval-link';
import { SLACK_BUTTONS } from '../../../lib/escalation/messages';
import { RemediatorError } from '../../../lib/errors';

const key = 'k3y-for-the-published-vector-0123456789abcdef';
const claim: LinkClaim = { approvalId: 'apr_00112233445566778899aabbccddeeff', action: 'approve', expires: 1_780_000_000 };
const before = (claimAt: LinkClaim) => claimAt.expires * 1000 - 60_000;

/** The path and query of a link, as API Gateway hands them to the endpoint. */
function requestOf(link: string) {
  const url = new URL(link);
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

describe('signed approval links', () => {
  it('sign HMAC-SHA256 over the approval id, the action and the expiry (a vector computed with openssl)', () => {
    // printf 'remediator-approval-link:v1\napr_0011…eeff\napprove\n1780000000' | openssl dgst -sha256 -hmac '<key>'
    expect(signLink(claim, key)).toBe('5aa1cf807031f543141f5a2d32a34aa4b7e208ccfbf1f0115e769dbd703b2452');
  });

  it('build a link to /approvals/<id>/<action> that verifies back to its claim before it expires', () => {
    const link = approvalLink('https://abc.execute-api.us-east-1.amazonaws.com/', claim, key);
    expect(link).toBe(`https://abc.execute-api.us-east-1.amazonaws.com/approvals/${claim.approvalId}/approve?expires=1780000000&sig=5aa1cf807031f543141f5a2d32a34aa4b7e208ccfbf1f0115e769dbd703b2452`);
    expect(verifyLink(requestOf(link), key, before(claim))).toEqual(claim);
  });

  it('refuse a link whose action, approval id or expiry was altered (the signature no longer matches)', () => {
    const good = requestOf(approvalLink('https://x.example', claim, key));
    const altered = [
      { ...good, path: good.path.replace('/approve', '/reject') },
      { ...good, path: good.path.replace(claim.approvalId, `apr_${'f'.repeat(32)}`) },
      { ...good, query: { ...good.query, expires: String(claim.expires + 86_400) } },
    ];
    for (const request of altered) {
      expect(() => verifyLink(request, key, before(claim))).toThrow(/signature does not match/);
    }
  });

  it('refuse a link signed with another key', () => {
    const forged = requestOf(approvalLink('https://x.example', claim, 'another-key-of-at-least-32-characters!!'));
    expect(() => verifyLink(forged, key, before(claim))).toThrow(InvalidApprovalLinkError);
  });

  it('refuse a correctly signed link from its expiry on, saying when it expired', () => {
    const request = requestOf(approvalLink('https://x.example', claim, key));
    expect(() => verifyLink(request, key, claim.expires * 1000)).toThrow(ExpiredApprovalLinkError);
    expect(() => verifyLink(request, key, claim.expires * 1000)).toThrow('the link expired at 2026-05-28T20:26:40.000Z');
    expect(() => verifyLink(request, key, claim.expires * 1000 - 1000)).not.toThrow();
  });

  it('check the signature before the expiry: a forged expired link is refused as forged', () => {
    const forged = requestOf(approvalLink('https://x.example', claim, 'another-key-of-at-least-32-characters!!'));
    expect(() => verifyLink(forged, key, claim.expires * 1000 + 1)).toThrow(InvalidApprovalLinkError);
  });

  it('refuse malformed links with a message that says what is wrong', () => {
    const good = requestOf(approvalLink('https://x.example', claim, key));
    const cases: [{ path: string; query: Record<string, string | undefined> }, RegExp][] = [
      [{ ...good, path: '/approvals/not-an-id/approve' }, /names no approval/],
      [{ ...good, path: `/approvals/${claim.approvalId}/delete` }, /action must be one of approve, reject, acknowledge, rollback/],
      [{ ...good, query: { sig: good.query.sig } }, /no expires=/],
      [{ ...good, query: { ...good.query, expires: '-1' } }, /no expires=/],
      [{ ...good, query: { ...good.query, sig: good.query.sig?.toUpperCase() } }, /no sig=<64 lowercase hex digits>/],
      [{ ...good, query: { ...good.query, sig: undefined } }, /no sig=/],
    ];
    for (const [request, message] of cases) {
      expect(() => verifyLink(request, key, before(claim))).toThrow(InvalidApprovalLinkError);
      expect(() => verifyLink(request, key, before(claim))).toThrow(message);
    }
  });

  it('offer exactly the answers the Slack buttons offer', () => {
    expect([...LINK_ACTIONS].sort()).toEqual(Object.keys(SLACK_BUTTONS).sort());
  });

  it('refuse to sign or verify with a key too short to be a secret', () => {
    expect(() => signLink(claim, 'short')).toThrow(RemediatorError);
    expect(() => verifyLink(requestOf(approvalLink('https://x.example', claim, key)), 'short', before(claim))).toThrow(/at least 32 characters/);
  });
});
