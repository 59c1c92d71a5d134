/**
 * A finding handed to one child of a batch (`{ remediator: 'finding', finding }`):
 * it was normalized by the parent, but it arrives as state input again, so it is
 * checked again as an event's finding would be: the schema, the partition, and,
 * for a type Remediator acts on, an ARN of that type in the account it names
 * (anyone allowed to call StartExecution can send this shape).
 */
import { FindingSchema, type Finding } from '../finding';
import { InvalidEventError } from '../errors';
import { requireResource } from './common';
import { formatIssues } from './envelope';
import { SUPPORTED_RESOURCE_TYPES, identifyResource } from './resource-arn';
import type { NormalizeOptions } from './types';

const SOURCE = 'fan-out';

export function parseFanOutFinding(value: unknown, options: Pick<NormalizeOptions, 'partition'>): Finding {
  const parsed = FindingSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidEventError(`${SOURCE} finding: ${formatIssues(parsed.error, 'finding')}`, { context: { source: SOURCE } });
  }
  const finding = parsed.data;
  const { resource } = finding;
  // Partition first, for every resource (requireResource); then, for a type Remediator acts on, an ARN of that type.
  const named = { ok: true as const, resource: { arn: resource.arn, type: resource.type, accountId: resource.accountId, region: resource.region, ...(resource.idOnly ? { idOnly: true as const } : {}) } };
  requireResource(named, SOURCE, 'finding.resource.arn', options);
  if (resource.idOnly || !SUPPORTED_RESOURCE_TYPES.includes(resource.type)) return finding;
  const identified = requireResource(
    identifyResource(resource.arn, { expectedType: resource.type, accountId: resource.accountId, region: resource.region }),
    SOURCE,
    'finding.resource.arn',
    options,
  );
  if (identified.accountId !== resource.accountId) {
    throw new InvalidEventError(`${SOURCE} finding: finding.resource.accountId: ${resource.accountId} is not the account of ${resource.arn}`, {
      context: { source: SOURCE },
    });
  }
  return finding;
}
