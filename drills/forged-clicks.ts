/**
 * Drill: clicks that must not decide anything. A production bucket waits for
 * approval; forged, stale, future, tampered, malformed-signature, unknown,
 * unauthorised (not an approver, wrong Slack team, wrong app) and mismatched
 * clicks are sent first, then one correct Approve (which must work: a drill
 * that refuses everything proves nothing), then replays of that exact signed
 * request. Passes when no hostile click is answered 2xx or resumes the
 * execution, and the correct click resumes it exactly once.
 */
import { APPROVER, STRANGER, clickBody, sleep, type Drill, type DrillContext, type DrillOutcome, type SlackClick } from './harness';
import { bucketName } from './harness';
import { signSlackBody } from '../local/slack-click';
import { accessAnalyzerEvent } from './samples';

const REPLAYS = 3;

function hostileClicks(ctx: DrillContext, approvalId: string): [string, SlackClick][] {
  const now = Math.floor(Date.now() / 1000);
  const secret = ctx.stack.slack.signingSecret;
  const body = clickBody({ action: 'approve', approvalId, userId: APPROVER });
  const good = signSlackBody(secret, now, body);
  const hex = good.slice(3);
  return [
    ['bad signature (other secret)', { approvalId, signWith: 'not-the-signing-secret' }],
    ['stale timestamp (10 min old)', { approvalId, timestamp: now - 600 }],
    ['future timestamp (10 min ahead)', { approvalId, timestamp: now + 600 }],
    ['body tampered after signing (user swapped)', { approvalId, userId: STRANGER, body: clickBody({ action: 'approve', approvalId, userId: STRANGER }), signature: signSlackBody(secret, now, clickBody({ action: 'approve', approvalId, userId: STRANGER })), tamper: (b) => b.replace(STRANGER, APPROVER).replace(STRANGER.toLowerCase(), APPROVER.toLowerCase()), timestamp: now }],
    ['signature with 63 hex digits', { approvalId, body, timestamp: now, signature: `v0=${hex.slice(0, 63)}` }],
    ['signature with a v1= prefix', { approvalId, body, timestamp: now, signature: `v1=${hex}` }],
    ['signature upper-case V0=', { approvalId, body, timestamp: now, signature: `V0=${hex}` }],
    ['two signatures in one header', { approvalId, body, timestamp: now, signature: `${good},${good}` }],
    ['empty signature', { approvalId, body, timestamp: now, signature: '' }],
    ['not an approver', { approvalId, userId: STRANGER }],
    ['wrong Slack team', { approvalId, teamId: 'T0OTHERTEAM' }],
    ['wrong Slack app', { approvalId, appId: 'A0OTHERAPP' }],
    ['unknown approval id', { approvalId: `apr_${'0'.repeat(32)}` }],
    ['on-call answer to an approval (Roll back)', { approvalId, action: 'rollback' }],
  ];
}

export const forgedClicks: Drill = {
  name: 'forged-clicks',
  timeoutMs: 90_000,
  async run(ctx): Promise<DrillOutcome> {
    const bucket = bucketName('forged-prod');
    await ctx.createBucket(bucket);
    const event = accessAnalyzerEvent(bucket);
    const executionArn = await ctx.start(event, 'drill-forged');
    const approvalId = await ctx.waitForApproval(String((event.detail as { id: string }).id), 'approval');
    const taskToken = String((await ctx.getApproval(approvalId))?.taskToken ?? '');
    const failures: string[] = [];
    const answers: string[] = [];
    let tries = 0;

    const hostile = async (label: string, click: SlackClick): Promise<void> => {
      tries += 1;
      const before = ctx.faults.resumesOf(taskToken).length;
      const answer = await ctx.click(click);
      const resumed = ctx.faults.resumesOf(taskToken).length - before;
      answers.push(`${answer.status}`);
      if (resumed > 0) failures.push(`${label}: resumed the execution (${answer.status})`);
      else if (answer.status >= 200 && answer.status < 300) failures.push(`${label}: answered ${answer.status}`);
    };

    for (const [label, click] of hostileClicks(ctx, approvalId)) await hostile(label, click);
    if ((await ctx.status(executionArn)) !== 'RUNNING') failures.push('the execution stopped waiting after the hostile clicks');

    // The correct click, kept byte for byte so it can be replayed.
    const timestamp = Math.floor(Date.now() / 1000);
    const body = clickBody({ action: 'approve', approvalId, userId: APPROVER });
    const signature = signSlackBody(ctx.stack.slack.signingSecret, timestamp, body);
    const resumedByHostile = ctx.faults.resumesOf(taskToken).length > 0;
    const legit = await ctx.click({ body, timestamp, signature });
    const legitResumes = ctx.faults.resumesOf(taskToken).length;
    // When a hostile click decided already, the correct one is refused for that reason (reported above).
    if (!resumedByHostile && (legit.status !== 200 || legitResumes !== 1)) failures.push(`the correct Approve was answered ${legit.status} with ${legitResumes} resumes (expected 200 and 1): ${legit.body.slice(0, 120)}`);
    for (let i = 1; i <= REPLAYS; i++) {
      await sleep(200);
      await hostile(`replay ${i} of the used click`, { body, timestamp, signature });
    }
    await ctx.followAll([executionArn], { timeoutMs: 60_000 });
    await ctx.stopIfRunning(executionArn);
    return {
      tries,
      failures,
      notes: [`${tries} hostile clicks answered ${answers.join(' ')}; correct Approve answered ${legit.status}; resumes in all: ${ctx.faults.resumesOf(taskToken).length}`],
    };
  },
};
