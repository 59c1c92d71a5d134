/**
 * The finding's resource ARN taken apart for a corrective control to build its
 * API input from: `arn:<partition>:<service>:<region>:<account>:<resource>`.
 * A control refuses (ControlFailedError), before it calls anything, an ARN of
 * another service than it acts on, of another partition than the finding's
 * region belongs to, or of another account than the finding's (an ARN without
 * an account, as S3's, is checked for the rest): a control never acts on a
 * resource the finding did not name. Kept small on purpose: lib/sources has
 * the full resource-ARN parser, and the partition rule (`partitionOf`).
 */
import { ControlFailedError } from '../errors';
import { partitionOf } from '../sources/resource-arn';
import type { ControlContext } from './types';

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the account field: `role/path/name`, `my-bucket`, `function:name:alias`, `table/name/stream/label`. */
  resource: string;
}

const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

/** The finding's resource ARN, checked against the finding's partition and account and the service the control acts on. */
export function findingArn(ctx: ControlContext, service: string): ArnParts {
  const { arn, region: findingRegion, accountId: findingAccount } = ctx.finding.resource;
  const refuse = (why: string) => new ControlFailedError(`"${arn}" ${why}`, { context: { resourceArn: arn } });
  const match = ARN.exec(arn);
  if (!match) throw refuse('is not an ARN');
  const [, partition, arnService, region, accountId, resource] = match as unknown as [string, string, string, string, string, string];
  if (arnService !== service) throw refuse(`is not a ${service} ARN`);
  const expected = partitionOf(findingRegion);
  if (partition !== expected) throw refuse(`is in partition ${partition}, not ${expected} of region ${findingRegion} where the finding was reported`);
  if (accountId !== '' && accountId !== findingAccount) throw refuse(`belongs to account ${accountId}, not ${findingAccount}`);
  return { partition, service: arnService, region, accountId, resource };
}
