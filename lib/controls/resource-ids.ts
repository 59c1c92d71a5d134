/**
 * Tiny helpers for the Config / GuardDuty / snapshot controls: the API id of
 * the resource a finding names, taken from its ARN (never from the event), and
 * canonical JSON for before/after states. Self-contained on purpose (another
 * branch adds lib/controls/arn.ts; the lead unifies them).
 */
import { ControlFailedError } from '../errors';
import type { ControlContext } from './types';

import { partitionOf } from '../sources/resource-arn';

interface ArnShape {
  service: string;
  /** Matches the resource part (everything after the fifth colon); group 1 is the id the API wants. */
  resource: RegExp;
  what: string;
}

/**
 * The id in the finding's resource ARN, or ControlFailedError when the ARN is not of the expected
 * shape or names another partition, account or region than the finding says.
 */
export function resourceIdOf(ctx: ControlContext, shape: ArnShape): string {
  const { arn, accountId, region } = ctx.finding.resource;
  const fail = (why: string) => new ControlFailedError(`"${arn}" is not usable as ${shape.what} ARN: ${why}`, { context: { resourceArn: arn } });
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') throw fail('not an ARN');
  const [, partition, service, arnRegion, arnAccount] = parts;
  const resource = parts.slice(5).join(':');
  const expectedPartition = partitionOf(region);
  if (partition !== expectedPartition) throw fail(`partition "${partition}", expected "${expectedPartition}" for ${region}`);
  if (service !== shape.service) throw fail(`service "${service}", expected "${shape.service}"`);
  if (arnAccount !== '' && arnAccount !== accountId) throw fail(`account ${arnAccount} is not the finding's account ${accountId}`);
  if (arnRegion !== '' && arnRegion !== region) throw fail(`region ${arnRegion} is not the finding's region ${region}`);
  const id = shape.resource.exec(resource)?.[1];
  if (!id) throw fail(`resource "${resource}" does not match ${shape.resource}`);
  return id;
}

export const securityGroupIdOf = (ctx: ControlContext) =>
  resourceIdOf(ctx, { service: 'ec2', resource: /^security-group\/(sg-[0-9a-f]{8,17})$/, what: 'an EC2 security group' });
export const instanceIdOf = (ctx: ControlContext) =>
  resourceIdOf(ctx, { service: 'ec2', resource: /^instance\/(i-[0-9a-f]{8,17})$/, what: 'an EC2 instance' });
export const ebsSnapshotIdOf = (ctx: ControlContext) =>
  resourceIdOf(ctx, { service: 'ec2', resource: /^snapshot\/(snap-[0-9a-f]{8,17})$/, what: 'an EBS snapshot' });
export const rdsDbSnapshotIdOf = (ctx: ControlContext) =>
  resourceIdOf(ctx, { service: 'rds', resource: /^snapshot:([A-Za-z][A-Za-z0-9:-]{0,254})$/, what: 'an RDS DB snapshot' });
export const rdsClusterSnapshotIdOf = (ctx: ControlContext) =>
  resourceIdOf(ctx, { service: 'rds', resource: /^cluster-snapshot:([A-Za-z][A-Za-z0-9:-]{0,254})$/, what: 'an RDS DB cluster snapshot' });
/** IAM names are the last path segment (`role/path/name` → `name`). */
export const iamRoleNameOf = (ctx: ControlContext) =>
  resourceIdOf(ctx, { service: 'iam', resource: /^role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/, what: 'an IAM role' });
export const iamUserNameOf = (ctx: ControlContext) =>
  resourceIdOf(ctx, { service: 'iam', resource: /^user\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/, what: 'an IAM user' });

/** JSON with object keys sorted at every level (arrays keep their order: sort them before when order does not matter). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

/** Sorted copy of a list of strings (unique). */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}
