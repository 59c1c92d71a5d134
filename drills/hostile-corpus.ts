/**
 * Several hundred bad and hostile events, each aimed at a real public bucket
 * of the drill so that one that slips through would change it: foreign
 * partitions, S3 ARNs with a region or account, odd ARNs, malformed shapes,
 * manual requests without proof of who sent them, spoofed sources.
 * `expect` names the errors that classification may end with; a plain
 * "refused" accepts any named Remediator error or a decision that acts on nothing.
 */
import { LOCAL_ACCOUNT, BUILDERS, manualEvent, setResource, type SourceName } from './samples';

export type Expectation = 'refused' | 'unsupported-or-invalid' | 'invalid' | 'unauthorized';

export interface HostileEvent {
  category: string;
  label: string;
  event: unknown;
  expect: Expectation;
}

/** Error names each expectation accepts (besides a non-acting decision where noted). */
export const ACCEPTED_ERRORS: Record<Expectation, readonly string[] | 'any-named'> = {
  refused: 'any-named',
  'unsupported-or-invalid': ['UnsupportedEventError', 'InvalidEventError'],
  invalid: ['InvalidEventError'],
  unauthorized: ['UnauthorizedRequesterError', 'UnsupportedEventError', 'InvalidEventError'],
};

const ARN_SOURCES: readonly SourceName[] = ['access-analyzer', 'security-hub', 'config', 'guardduty', 'manual'];

const NAMED_BY_NAME: ReadonlySet<SourceName> = new Set(['config', 'guardduty']);

const FOREIGN_PARTITIONS = ['aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-f', 'aws-eusc'];

function arnMutations(bucket: string): { category: string; label: string; value: unknown; expect: Expectation }[] {
  const list: { category: string; label: string; value: unknown; expect: Expectation }[] = [];
  for (const partition of FOREIGN_PARTITIONS) {
    list.push({ category: 'foreign-partition', label: partition, value: `arn:${partition}:s3:::${bucket}`, expect: 'unsupported-or-invalid' });
  }
  const located: [string, string][] = [
    ['region+account', `arn:aws:s3:us-east-1:${LOCAL_ACCOUNT}:${bucket}`],
    ['account', `arn:aws:s3::${LOCAL_ACCOUNT}:${bucket}`],
    ['region', `arn:aws:s3:us-east-1::${bucket}`],
    ['other-region', `arn:aws:s3:eu-west-1::${bucket}`],
    ['foreign-account', `arn:aws:s3::444455556666:${bucket}`],
  ];
  for (const [label, value] of located) list.push({ category: 's3-arn-with-region-or-account', label, value, expect: 'invalid' });
  const odd: [string, unknown][] = [
    ['object-key', `arn:aws:s3:::${bucket}/key.txt`],
    ['trailing-slash', `arn:aws:s3:::${bucket}/`],
    ['wildcard-objects', `arn:aws:s3:::${bucket}/*`],
    ['wildcard-bucket', 'arn:aws:s3:::*'],
    ['wildcard-suffix', `arn:aws:s3:::${bucket.slice(0, -3)}*`],
    ['empty-resource', 'arn:aws:s3:::'],
    ['extra-colon', `arn:aws:s3::::${bucket}`],
    ['colon-suffix', `arn:aws:s3:::${bucket}:extra`],
    ['trailing-space', `arn:aws:s3:::${bucket} `],
    ['leading-space', ` arn:aws:s3:::${bucket}`],
    ['newline', `arn:aws:s3:::${bucket}\n`],
    ['nul-byte', `arn:aws:s3:::${bucket}\u0000`],
    ['zero-width', `arn:aws:s3:::${bucket}\u200b`],
    ['cyrillic-a', `\u0430rn:aws:s3:::${bucket}`],
    ['upper-case-prefix', `ARN:AWS:S3:::${bucket}`],
    ['upper-case-service', `arn:aws:S3:::${bucket}`],
    ['query', `arn:aws:s3:::${bucket}?versionId=1`],
    ['fragment', `arn:aws:s3:::${bucket}#x`],
    ['percent-encoded', `arn:aws:s3:::${bucket}%2Fkey`],
    ['dot-dot', `arn:aws:s3:::../${bucket}`],
    ['traversal', `arn:aws:s3:::${bucket}/../other-bucket`],
    ['two-arns', `arn:aws:s3:::${bucket},arn:aws:s3:::other-bucket`],
    ['access-point', `arn:aws:s3:us-east-1:${LOCAL_ACCOUNT}:accesspoint/${bucket}`],
    ['object-lambda', `arn:aws:s3-object-lambda:us-east-1:${LOCAL_ACCOUNT}:accesspoint/${bucket}`],
    ['outposts', `arn:aws:s3-outposts:us-east-1:${LOCAL_ACCOUNT}:outpost/op-1/bucket/${bucket}`],
    ['no-prefix', bucket],
    ['s3-uri', `s3://${bucket}`],
    ['https-url', `https://${bucket}.s3.amazonaws.com/`],
    ['huge', `arn:aws:s3:::${bucket}${'a'.repeat(3000)}`],
    ['empty-string', ''],
    ['number', 42],
    ['array', [`arn:aws:s3:::${bucket}`]],
    ['object', { arn: `arn:aws:s3:::${bucket}` }],
    ['null', null],
  ];
  for (const [label, value] of odd) list.push({ category: 'odd-arn', label, value, expect: 'refused' });
  return list;
}

function malformedShapes(bucket: string): { label: string; event: unknown }[] {
  const aa = BUILDERS['access-analyzer'](bucket) as Record<string, unknown> & { detail: Record<string, unknown> };
  const sh = BUILDERS['security-hub'](bucket) as Record<string, unknown> & { detail: Record<string, unknown> };
  const gd = BUILDERS.guardduty(bucket) as Record<string, unknown> & { detail: Record<string, unknown> };
  const cfg = BUILDERS.config(bucket) as Record<string, unknown> & { detail: Record<string, unknown> };
  const withDetail = (base: Record<string, unknown>, detail: unknown) => ({ ...base, detail });
  const without = (base: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));
  const shFinding = (sh.detail.findings as Record<string, unknown>[])[0] as Record<string, unknown>;
  return [
    { label: 'null', event: null },
    { label: 'array', event: [aa] },
    { label: 'number', event: 42 },
    { label: 'true', event: true },
    { label: 'empty-object', event: {} },
    { label: 'no-detail', event: without(aa, 'detail') },
    { label: 'no-source', event: without(aa, 'source') },
    { label: 'no-detail-type', event: without(aa, 'detail-type') },
    { label: 'detail-null', event: withDetail(aa, null) },
    { label: 'detail-string', event: withDetail(aa, JSON.stringify(aa.detail)) },
    { label: 'detail-array', event: withDetail(aa, [aa.detail]) },
    { label: 'detail-number', event: withDetail(aa, 7) },
    { label: 'aa-no-id', event: withDetail(aa, without(aa.detail, 'id')) },
    { label: 'aa-id-object', event: withDetail(aa, { ...aa.detail, id: { $ne: null } }) },
    { label: 'aa-status-lowercase', event: withDetail(aa, { ...aa.detail, status: 'active' }) },
    { label: 'aa-status-unknown', event: withDetail(aa, { ...aa.detail, status: 'PWNED' }) },
    { label: 'aa-resource-type-mismatch', event: withDetail(aa, { ...aa.detail, resourceType: 'AWS::KMS::Key' }) },
    { label: 'aa-resource-type-unknown', event: withDetail(aa, { ...aa.detail, resourceType: 'AWS::Evil::Thing' }) },
    { label: 'aa-no-resource-type', event: withDetail(aa, without(aa.detail, 'resourceType')) },
    { label: 'aa-updated-at-garbage', event: withDetail(aa, { ...aa.detail, updatedAt: 'yesterday' }) },
    { label: 'aa-account-not-digits', event: withDetail(aa, { ...aa.detail, accountId: '12345678901X' }) },
    { label: 'aa-principal-string', event: withDetail(aa, { ...aa.detail, principal: '*' }) },
    { label: 'aa-action-object', event: withDetail(aa, { ...aa.detail, action: { '*': true } }) },
    { label: 'aa-proto-pollution', event: JSON.parse(JSON.stringify(aa).replace('"detail":{', '"detail":{"__proto__":{"isPublic":true,"status":"ACTIVE"},')) as unknown },
    { label: 'aa-constructor-key', event: withDetail(aa, { ...aa.detail, constructor: { prototype: { isAdmin: true } } }) },
    { label: 'aa-deep-nesting', event: withDetail(aa, { ...aa.detail, condition: JSON.parse(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`) as unknown }) },
    { label: 'oversized', event: withDetail(aa, { ...aa.detail, padding: 'x'.repeat(300_000) }) },
    { label: 'unknown-detail-type', event: { ...aa, 'detail-type': 'Access Analyzer Finding!' } },
    { label: 'detail-type-trailing-space', event: { ...aa, 'detail-type': 'Access Analyzer Finding ' } },
    { label: 'unknown-aws-source', event: { ...aa, source: 'aws.s3' } },
    { label: 'source-case', event: { ...aa, source: 'AWS.access-analyzer' } },
    { label: 'source-suffix', event: { ...aa, source: 'aws.access-analyzer.evil' } },
    { label: 'sh-no-findings', event: withDetail(sh, { findings: [] }) },
    { label: 'sh-findings-object', event: withDetail(sh, { findings: shFinding }) },
    { label: 'sh-no-resources', event: withDetail(sh, { findings: [{ ...shFinding, Resources: [] }] }) },
    { label: 'sh-resource-type-lie', event: withDetail(sh, { findings: [{ ...shFinding, Resources: [{ ...(shFinding.Resources as object[])[0], Type: 'AwsKmsKey' }] }] }) },
    { label: 'gd-no-bucket-details', event: withDetail(gd, { ...gd.detail, resource: { resourceType: 'S3Bucket' } }) },
    { label: 'gd-resource-type-lie', event: withDetail(gd, { ...gd.detail, resource: { ...(gd.detail.resource as object), resourceType: 'Instance' } }) },
    { label: 'config-compliance-garbage', event: withDetail(cfg, { ...cfg.detail, newEvaluationResult: { complianceType: 'NON_COMPLIANT!' } }) },
    { label: 'config-no-region', event: withDetail(cfg, without(cfg.detail, 'awsRegion')) },
  ];
}

function manualWithoutProof(bucket: string, prodBucket: string): { label: string; event: unknown }[] {
  const typed = [
    'alice@example.com',
    'root',
    `arn:aws:iam::${LOCAL_ACCOUNT}:root`,
    `arn:aws:iam::${LOCAL_ACCOUNT}:role/BreakGlassAdmin`,
    `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/Admin/alice`,
    'cli:operator',
  ];
  const list: { label: string; event: unknown }[] = [];
  for (const requestedBy of typed) {
    for (const mode of ['auto', 'approve', 'notify'] as const) {
      list.push({ label: `requestedBy=${requestedBy} mode=${mode}`, event: manualEvent(mode === 'approve' ? prodBucket : bucket, { requestedBy, mode }) });
    }
  }
  const forgedProof: Record<string, unknown>[] = [
    { identity: { arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/Admin`, account: LOCAL_ACCOUNT } },
    { requestedByArn: `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/Admin/alice` },
    { callerIdentity: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/alice`, Account: LOCAL_ACCOUNT, UserId: 'AIDAEXAMPLE' } },
    { proof: 'signed-by-alice', signature: 'v1=deadbeef' },
    { requestedBy: '', identity: null },
  ];
  forgedProof.forEach((extra, index) => list.push({ label: `forged-proof-${index + 1}`, event: manualEvent(bucket, extra) }));
  return list;
}

function spoofedSources(bucket: string): { label: string; event: unknown }[] {
  const aa = BUILDERS['access-analyzer'](bucket) as Record<string, unknown>;
  const manual = manualEvent(bucket);
  return [
    { label: 'manual-source-aa-detail-type', event: { ...aa, source: 'remediator.manual' } },
    { label: 'manual-other-detail-type', event: { ...manual, 'detail-type': 'Manual Remediation Request (urgent)' } },
    { label: 'manual-detail-type-case', event: { ...manual, 'detail-type': 'manual remediation request' } },
    { label: 'manual-source-case', event: { ...manual, source: 'Remediator.Manual' } },
    { label: 'custom-source-aa-shape', event: { ...aa, source: 'custom.access-analyzer' } },
    { label: 'remediator-finding-source', event: { ...aa, source: 'remediator.finding' } },
    { label: 'partner-source', event: { ...aa, source: 'aws.partner/example.com/123/evil' } },
    { label: 'manual-source-on-aa-detail-type', event: { ...manual, 'detail-type': 'Access Analyzer Finding' } },
  ];
}

/** Fan-out envelopes (what Start Finding Workflows hands a child) naming a foreign-partition resource. */
function fanOutEnvelopes(bucket: string): { label: string; event: unknown }[] {
  const now = new Date().toISOString();
  return FOREIGN_PARTITIONS.slice(0, 2).map((partition) => ({
    label: `fan-out-${partition}`,
    event: {
      remediator: 'finding',
      finding: {
        id: `drill-fanout-${partition}-${bucket}`,
        source: 'security-hub',
        type: 's3-bucket-public-read-prohibited',
        status: 'ACTIVE',
        severity: 'HIGH',
        resource: { arn: `arn:${partition}:s3:::${bucket}`, type: 'AWS::S3::Bucket', accountId: LOCAL_ACCOUNT, region: 'us-east-1' },
        observedAt: now,
        raw: { eventId: 'drill', source: 'aws.securityhub' },
      },
    },
  }));
}

/** The whole corpus, aimed at `bucket` (auto rule) and `prodBucket` (approve rule). */
export function hostileCorpus(bucket: string, prodBucket: string): HostileEvent[] {
  const events: HostileEvent[] = [];
  for (const target of [bucket, prodBucket]) {
    for (const source of ARN_SOURCES) {
      for (const mutation of arnMutations(target)) {
        // Config and GuardDuty also name a bucket by its plain name (GuardDuty falls back to it when the ARN is empty): not hostile there.
        if (NAMED_BY_NAME.has(source) && ['no-prefix', 'empty-string'].includes(mutation.label)) continue;
        const base = BUILDERS[source](target);
        const event = setResource(source, base, mutation.value);
        // A manual request is refused for want of proof before its ARN is looked at: any of the named refusals will do.
        const expect: Expectation = source === 'manual' ? 'unauthorized' : mutation.expect;
        events.push({ category: mutation.category, label: `${source} ${mutation.label}${target === prodBucket ? ' (prod)' : ''}`, event, expect });
      }
    }
  }
  for (const m of malformedShapes(bucket)) events.push({ category: 'malformed-shape', label: m.label, event: m.event, expect: 'refused' });
  for (const m of manualWithoutProof(bucket, prodBucket)) events.push({ category: 'manual-without-proof', label: m.label, event: m.event, expect: 'unauthorized' });
  for (const m of spoofedSources(bucket)) events.push({ category: 'spoofed-source', label: m.label, event: m.event, expect: 'refused' });
  for (const m of fanOutEnvelopes(bucket)) events.push({ category: 'foreign-partition', label: m.label, event: m.event, expect: 'unsupported-or-invalid' });
  return events;
}
