/**
 * iam-deactivate-access-key — set an IAM user's access keys to Inactive (reversible: nothing is
 * deleted). Which keys, from the live key list (never from the event):
 * - the key the finding names in its `accessKeyId` label (GuardDuty reports it; the normalizer must
 *   keep it for this to be surgical), if it belongs to the user;
 * - for Config `access-keys-rotated`: the keys older than the rule's `maxAccessKeyAge` label (days,
 *   default 90);
 * - otherwise every key of the user.
 * The selection never depends on a key's status, so `snapshot` reads the same keys before and
 * after. `before` / `after`: canonical JSON `{ keyId: "Active" | "Inactive" }`; rollback sets each
 * key back to its status. Approve mode by default (lib/controls/mapping.ts): a deactivated key breaks
 * whatever uses it.
 */
import { IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand, type AccessKeyMetadata, type StatusType } from '@aws-sdk/client-iam';
import { toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { configRuleKey } from './mapping';
import { canonicalJson, iamUserNameOf } from './resource-ids';
import type { ControlContext, ControlPlan, CorrectiveControl, ResourceState, VerifyOutcome } from './types';
import { controlFacts } from './catalog';

export const DEFAULT_MAX_ACCESS_KEY_AGE_DAYS = 90;
const DAY_MS = 86_400_000;

async function listKeys(ctx: ControlContext): Promise<AccessKeyMetadata[]> {
  const userName = iamUserNameOf(ctx);
  const iam = ctx.clients.get(IAMClient);
  const keys: AccessKeyMetadata[] = [];
  try {
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListAccessKeysCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
      keys.push(...(page.AccessKeyMetadata ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  } catch (error) {
    throw toRemediatorError(error, `listing the access keys of ${userName}`, { resourceArn: ctx.finding.resource.arn });
  }
  return keys;
}

/** The keys the finding is about, and why. */
export function selectKeys(ctx: ControlContext, keys: AccessKeyMetadata[], now = Date.now()): { keys: AccessKeyMetadata[]; why: string } {
  const named = ctx.finding.labels.accessKeyId;
  if (named) return { keys: keys.filter((k) => k.AccessKeyId === named), why: `access key ${named}` };
  if (configRuleKey(ctx.finding.type) === 'access-keys-rotated') {
    const days = Number(ctx.finding.labels.maxAccessKeyAge ?? DEFAULT_MAX_ACCESS_KEY_AGE_DAYS);
    const maxAge = Number.isFinite(days) && days > 0 ? days : DEFAULT_MAX_ACCESS_KEY_AGE_DAYS;
    return {
      keys: keys.filter((k) => k.CreateDate !== undefined && now - new Date(k.CreateDate).getTime() > maxAge * DAY_MS),
      why: `access keys older than ${maxAge} days`,
    };
  }
  return { keys, why: 'every access key of the user' };
}

const stateOf = (keys: AccessKeyMetadata[]): ResourceState => ({
  accessKeys: canonicalJson(Object.fromEntries(keys.map((k) => [k.AccessKeyId!, k.Status ?? 'Active']))),
});

async function setStatus(ctx: ControlContext, accessKeyId: string, status: StatusType): Promise<void> {
  const userName = iamUserNameOf(ctx);
  try {
    await ctx.clients.get(IAMClient).send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: status }));
  } catch (error) {
    throw toRemediatorError(error, `setting access key ${accessKeyId} of ${userName} to ${status}`, { resourceArn: ctx.finding.resource.arn });
  }
}

function parseState(text: string | null | undefined): Record<string, StatusType> {
  return text ? (JSON.parse(text) as Record<string, StatusType>) : {};
}

export const iamDeactivateAccessKey: CorrectiveControl = {
  ...controlFacts('iam-deactivate-access-key'),

  async snapshot(ctx) {
    return stateOf(selectKeys(ctx, await listKeys(ctx)).keys);
  },

  async plan(ctx): Promise<ControlPlan> {
    const { keys, why } = selectKeys(ctx, await listKeys(ctx));
    const before = stateOf(keys);
    const active = keys.filter((k) => k.Status === 'Active');
    const user = ctx.finding.resource.arn;
    if (!active.length) {
      return { applicable: false, reason: keys.length ? `${why}: already inactive` : `${why}: no such key on the user`, before, after: before, summary: `No change: ${user} has no active key to deactivate (${why}).` };
    }
    return {
      applicable: true,
      reason: `${why}: ${active.length} active`,
      before,
      after: stateOf(keys.map((k) => ({ ...k, Status: 'Inactive' }))),
      summary: `Deactivate access key(s) ${active.map((k) => k.AccessKeyId).join(', ')} of ${user} (${why}); whatever uses them stops working until rollback.`,
    };
  },

  async write(ctx, plan) {
    const before = parseState(plan.before.accessKeys);
    const after = parseState(plan.after.accessKeys);
    for (const [keyId, status] of Object.entries(after)) {
      if (before[keyId] !== status) await setStatus(ctx, keyId, status);
    }
  },

  async verify(ctx): Promise<VerifyOutcome> {
    const { keys, why } = selectKeys(ctx, await listKeys(ctx));
    const active = keys.filter((k) => k.Status === 'Active');
    return {
      resolved: active.length === 0,
      reason: active.length ? `${why}: ${active.map((k) => k.AccessKeyId).join(', ')} still active` : `${why}: none active`,
      observed: stateOf(keys),
    };
  },

  async restore(ctx, before) {
    const wanted = parseState(before.accessKeys);
    const current = new Map((await listKeys(ctx)).map((k) => [k.AccessKeyId, k.Status]));
    for (const [keyId, status] of Object.entries(wanted)) {
      if (!current.has(keyId)) throw new ControlFailedError(`access key ${keyId} of ${ctx.finding.resource.arn} no longer exists: it cannot be restored`);
      if (current.get(keyId) !== status) await setStatus(ctx, keyId, status);
    }
  },
};
