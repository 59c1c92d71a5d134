/**
 * The parts of the resource ARN a control builds its API input from
 * (`arn:<partition>:<service>:<region>:<account>:<resource>`). Refuses an ARN
 * of another service, of another partition than the finding's region belongs
 * to, or of another account than the finding's: a control never acts on a
 * resource the finding did not name. Minimal on purpose; see
 * lib/sources/resource-arn.ts for the general parser.
 */
import { ControlFailedError } from '../errors';
import type { ControlContext } from './types';

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the account field, e.g. `function:name:alias` or `table/name/stream/label`. */
  resource: string;
}

const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

export { partitionOfRegion } from './arn';
import { partitionOfRegion } from './arn';

/** The finding's resource ARN, checked against the finding's partition and account and the expected service. */
export function resourceArnParts(ctx: ControlContext, service: string): ArnParts {
  const arn = ctx.finding.resource.arn;
  const match = ARN.exec(arn);
  const refuse = (why: string) => new ControlFailedError(`"${arn}" ${why}`, { context: { resourceArn: arn } });
  if (!match) throw refuse('is not an ARN');
  const [, partition, arnService, region, accountId, resource] = match as unknown as [string, string, string, string, string, string];
  if (arnService !== service) throw refuse(`is not a ${service} ARN`);
  const expected = partitionOfRegion(ctx.finding.resource.region);
  if (partition !== expected) throw refuse(`is in partition ${partition}, not ${expected} of region ${ctx.finding.resource.region}`);
  if (accountId !== ctx.finding.resource.accountId) throw refuse(`belongs to account ${accountId || '(none)'}, not ${ctx.finding.resource.accountId}`);
  return { partition, service: arnService, region, accountId, resource };
}
