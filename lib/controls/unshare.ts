/**
 * The reusable fix behind the snapshot-unshare controls: a resource shared with a list of accounts
 * (and with everyone through a public value such as `all`) keeps the shares inside the zone of
 * trust and loses the others. An entry only says how to read the list and add or remove values
 * (two-tier catalog, like remove-external-statements.ts). `before` / `after` are the sorted list as
 * canonical JSON; rollback adds back what is missing and removes what was not there.
 */
import type { ZoneOfTrust } from '../policy';
import type { ControlFacts } from './catalog';
import { canonicalJson, sortedUnique } from './resource-ids';
import type { ControlContext, ControlPlan, CorrectiveControl, ResourceState, VerifyOutcome } from './types';

export interface ShareListAccess {
  /** Every value the resource is shared with: account ids and the public value. */
  read(ctx: ControlContext): Promise<string[]>;
  add(ctx: ControlContext, values: string[]): Promise<void>;
  remove(ctx: ControlContext, values: string[]): Promise<void>;
}

export interface UnshareSpec {
  /** The control's entry in lib/controls/catalog.ts. */
  facts: ControlFacts;
  /** What people call the resource ("EBS snapshot"). */
  noun: string;
  /** The value that means "everyone" (`all`). */
  publicValue: string;
  access: ShareListAccess;
}

/** Accounts inside the zone of trust: its accounts and its organization's member accounts. */
export function insideZone(value: string, zone: ZoneOfTrust): boolean {
  return zone.accountIds.includes(value) || (zone.organizationAccountIds ?? []).includes(value);
}

export function unshareControl(spec: UnshareSpec): CorrectiveControl {
  const stateOf = (values: string[]): ResourceState => ({ sharedWith: canonicalJson(sortedUnique(values)) });
  const parse = (text: string | null | undefined): string[] => (text ? (JSON.parse(text) as string[]) : []);
  const external = (values: string[], ctx: ControlContext) => values.filter((v) => v === spec.publicValue || !insideZone(v, ctx.zone));
  const describe = (values: string[]) => values.map((v) => (v === spec.publicValue ? 'everyone' : `account ${v}`)).join(', ');

  return {
    ...spec.facts,

    async snapshot(ctx) {
      return stateOf(await spec.access.read(ctx));
    },

    async plan(ctx): Promise<ControlPlan> {
      const values = sortedUnique(await spec.access.read(ctx));
      const before = stateOf(values);
      const outside = external(values, ctx);
      const arn = ctx.finding.resource.arn;
      if (!outside.length) {
        return { applicable: false, reason: `the ${spec.noun} is shared with no one outside the zone of trust`, before, after: before, summary: `No change: ${arn} is not shared outside the zone of trust.` };
      }
      const kept = values.filter((v) => !outside.includes(v));
      return {
        applicable: true,
        reason: `the ${spec.noun} is shared with ${describe(outside)}`,
        before,
        after: stateOf(kept),
        summary: `Stop sharing ${arn} with ${describe(outside)}${kept.length ? `; keep ${describe(kept)}` : ''}.`,
      };
    },

    async write(ctx, plan) {
      const keep = new Set(parse(plan.after.sharedWith));
      await spec.access.remove(ctx, parse(plan.before.sharedWith).filter((v) => !keep.has(v)));
    },

    async verify(ctx): Promise<VerifyOutcome> {
      const values = sortedUnique(await spec.access.read(ctx));
      const outside = external(values, ctx);
      return {
        resolved: outside.length === 0,
        reason: outside.length ? `still shared with ${describe(outside)}` : 'shared with no one outside the zone of trust',
        observed: stateOf(values),
      };
    },

    async restore(ctx, before) {
      const wanted = new Set(parse(before.sharedWith));
      const current = new Set(await spec.access.read(ctx));
      const extra = [...current].filter((v) => !wanted.has(v));
      const missing = [...wanted].filter((v) => !current.has(v));
      if (extra.length) await spec.access.remove(ctx, extra);
      if (missing.length) await spec.access.add(ctx, missing);
    },
  };
}
