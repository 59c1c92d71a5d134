/**
 * Parse the resource ARN of a finding into the parts a control builds its API
 * input from: `arn:<partition>:<service>:<region>:<account>:<resource>`.
 * A control refuses an ARN of another partition or service than it expects
 * (ControlFailedError), before it calls anything. Kept small on purpose:
 * lib/sources has the full resource-ARN parser.
 */
import { ControlFailedError } from '../errors';
import type { ControlContext } from './types';

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the fifth colon (`role/path/name`, `my-bucket`, `queue-name`). */
  resource: string;
}

const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

/** The partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  return 'aws';
}

export function parseArn(arn: string, expected: { partition: string; service: string }): ParsedArn {
  const match = ARN.exec(arn);
  if (!match) throw new ControlFailedError(`"${arn}" is not an ARN`, { context: { resourceArn: arn } });
  const [, partition, service, region, accountId, resource] = match as unknown as [string, string, string, string, string, string];
  if (partition !== expected.partition) {
    throw new ControlFailedError(`"${arn}" is in partition ${partition}, not ${expected.partition} where the finding was reported`, { context: { resourceArn: arn } });
  }
  if (service !== expected.service) {
    throw new ControlFailedError(`"${arn}" is not a ${expected.service} ARN`, { context: { resourceArn: arn } });
  }
  return { partition, service, region, accountId, resource };
}

/** The finding's resource ARN, checked against the partition of the finding's region and the service the control acts on. */
export function findingArn(ctx: ControlContext, service: string): ParsedArn {
  return parseArn(ctx.finding.resource.arn, { partition: partitionOfRegion(ctx.finding.resource.region), service });
}
