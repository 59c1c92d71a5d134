/**
 * Sample events from events/, re-aimed at a bucket of this run: fresh ids and
 * timestamps, the sample's bucket replaced by ours, the local account. One
 * builder per source, so drills can report the same exposure from each.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const LOCAL_ACCOUNT = '123456789012';

type Json = Record<string, unknown>;

function sample(path: string): Json {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../events/${path}`, import.meta.url)), 'utf8')) as Json;
}

/** Replace every occurrence of the sample's own names with ours (JSON text, so nested copies follow). */
function retarget(event: Json, names: Record<string, string>): Json {
  let text = JSON.stringify(event);
  for (const [from, to] of Object.entries(names)) text = text.split(from).join(to);
  return JSON.parse(text) as Json;
}

const iso = (date = new Date()): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface SampleOptions {
  findingId?: string;
  /** The finding's version time (updatedAt / UpdatedAt / orderingTimestamp). */
  updatedAt?: Date;
}

export function accessAnalyzerEvent(bucket: string, options: SampleOptions = {}): Json {
  const event = retarget(sample('access-analyzer/s3-bucket-public.json'), { 'remediator-demo-public-assets': bucket });
  const time = iso(options.updatedAt);
  const detail = event.detail as Json;
  Object.assign(detail, { id: options.findingId ?? randomUUID(), createdAt: time, analyzedAt: time, updatedAt: time });
  return { ...event, id: randomUUID(), time };
}

export function securityHubEvent(bucket: string, options: SampleOptions = {}): Json {
  const event = retarget(sample('security-hub/config-s3-bucket-failed.json'), { 'member-uploads': bucket, '111122223333': LOCAL_ACCOUNT });
  const finding = ((event.detail as Json).findings as Json[])[0] as Json;
  const time = (options.updatedAt ?? new Date()).toISOString();
  // From another region's Config (aggregated by Security Hub): the direct Config rule of this region does not deliver it, so Security Hub is its route.
  Object.assign(finding, {
    Id: options.findingId ?? `arn:aws:config:eu-west-1:${LOCAL_ACCOUNT}:config-rule/config-rule-drill/finding/${randomUUID()}`,
    Region: 'eu-west-1',
    CreatedAt: time,
    UpdatedAt: time,
  });
  for (const resource of finding.Resources as Json[]) resource.Region = 'eu-west-1';
  return { ...event, id: randomUUID(), time: iso(options.updatedAt) };
}

export function configEvent(bucket: string, options: SampleOptions = {}): Json {
  const event = retarget(sample('config/s3-bucket-public-read-noncompliant.json'), { 'remediator-demo-public-assets': bucket });
  const detail = event.detail as Json & { newEvaluationResult: Json & { evaluationResultIdentifier: Json } };
  const time = (options.updatedAt ?? new Date()).toISOString();
  detail.newEvaluationResult.evaluationResultIdentifier.orderingTimestamp = time;
  detail.newEvaluationResult.resultRecordedTime = time;
  detail.notificationCreationTime = time;
  return { ...event, id: randomUUID(), time: iso(options.updatedAt) };
}

export function guardDutyEvent(bucket: string, options: SampleOptions = {}): Json {
  const event = retarget(sample('guardduty/s3-bucket-public-access-granted.json'), { 'remediator-demo-partner-share': bucket });
  const detail = event.detail as Json;
  const time = (options.updatedAt ?? new Date()).toISOString();
  const id = options.findingId ?? randomUUID().replace(/-/g, '');
  Object.assign(detail, { id, arn: `arn:aws:guardduty:us-east-1:${LOCAL_ACCOUNT}:detector/12cc51e1c99e833adf5924c71ac591b2/finding/${id}`, createdAt: time, updatedAt: time });
  return { ...event, id: randomUUID(), time: iso(options.updatedAt) };
}

/** A manual request as `remediate run` builds it, with a typed requestedBy and no proof of who sent it. */
export function manualEvent(bucket: string, detail: Json = {}): Json {
  const event = retarget(sample('manual/s3-deny-all-bucket-policy.json'), { 'remediator-demo-public-assets': bucket });
  return { ...event, id: randomUUID(), time: iso(), detail: { ...(event.detail as Json), ...detail } };
}

export type SourceName = 'access-analyzer' | 'security-hub' | 'config' | 'guardduty' | 'manual';

export const BUILDERS: Record<SourceName, (bucket: string) => Json> = {
  'access-analyzer': (b) => accessAnalyzerEvent(b),
  'security-hub': (b) => securityHubEvent(b),
  config: (b) => configEvent(b),
  guardduty: (b) => guardDutyEvent(b),
  manual: (b) => manualEvent(b),
};

/** Where each source names the resource: set it to `value` (an ARN, or something that is not one). */
export function setResource(source: SourceName, event: Json, value: unknown): Json {
  const copy = structuredClone(event) as Json & { detail: Json };
  const detail = copy.detail;
  switch (source) {
    case 'access-analyzer':
      detail.resource = value;
      break;
    case 'security-hub': {
      const finding = (detail.findings as Json[])[0] as Json;
      const resource = (finding.Resources as Json[])[0] as Json;
      resource.Id = value;
      if (typeof value === 'string') {
        const partition = /^arn:([^:]*):/.exec(value)?.[1];
        if (partition) resource.Partition = partition;
      }
      break;
    }
    case 'config': {
      detail.resourceId = value;
      const result = detail.newEvaluationResult as { evaluationResultIdentifier: { evaluationResultQualifier: Json } };
      result.evaluationResultIdentifier.evaluationResultQualifier.resourceId = value;
      break;
    }
    case 'guardduty': {
      const bucket = ((detail.resource as Json).s3BucketDetails as Json[])[0] as Json;
      bucket.arn = value;
      if (typeof value === 'string') {
        const partition = /^arn:([^:]*):/.exec(value)?.[1];
        if (partition) detail.partition = partition;
      }
      break;
    }
    case 'manual':
      detail.resourceArn = value;
      copy.resources = [value];
      break;
  }
  return copy;
}
