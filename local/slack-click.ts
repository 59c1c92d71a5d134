/**
 * Click a button of a recorded Slack message the way Slack does: a
 * form-encoded `payload` signed with the app's signing secret (v0).
 */
import { createHmac } from 'node:crypto';

export interface ClickOptions {
  interactionsUrl: string;
  signingSecret: string;
  userId: string;
  actionId: string;
  value: string;
  messageText?: string;
  /** Seconds; defaults to now. Tests pass stale or future values. */
  timestamp?: number;
  /** Sign with this secret instead (to forge a request). */
  signWith?: string;
  /** The workspace and app the click claims to come from (default: the local stack's). */
  teamId?: string;
  appId?: string;
  /** Change the body after signing (to tamper with a request). */
  tamper?: (body: string) => string;
}

export function signSlackBody(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export const LOCAL_SLACK_TEAM = 'T0LOCAL';
export const LOCAL_SLACK_APP = 'A0REMEDIATOR';

export function interactionBody(options: Pick<ClickOptions, 'userId' | 'actionId' | 'value' | 'messageText' | 'teamId' | 'appId'>): string {
  const team = options.teamId ?? LOCAL_SLACK_TEAM;
  const payload = {
    type: 'block_actions',
    user: { id: options.userId, username: options.userId.toLowerCase(), team_id: team },
    api_app_id: options.appId ?? LOCAL_SLACK_APP,
    container: { type: 'message' },
    trigger_id: '0000.0000.local',
    team: { id: team, domain: 'local' },
    message: { type: 'message', text: options.messageText ?? '' },
    actions: [{ type: 'button', action_id: options.actionId, block_id: 'remediator_decision', value: options.value, action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export async function clickSlackButton(options: ClickOptions): Promise<{ status: number; body: string }> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signed = interactionBody(options);
  const body = options.tamper ? options.tamper(signed) : signed;
  const response = await fetch(options.interactionsUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackBody(options.signWith ?? options.signingSecret, timestamp, signed),
    },
    body,
  });
  return { status: response.status, body: await response.text() };
}
