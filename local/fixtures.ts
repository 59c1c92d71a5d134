/**
 * Realistic starting points for the demo and the tests: a bucket opened to
 * the world, and the Access Analyzer event that reports it (from the sample
 * event in events/, with the resource and ids of this run).
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';

export const SAMPLE_EVENT_PATH = fileURLToPath(new URL('../events/access-analyzer/s3-bucket-public.json', import.meta.url));

/** A public-read policy as people write it (and as Access Analyzer flags it). Kept as text: restored byte for byte. */
export function publicReadPolicy(bucket: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'PublicReadForWebsite', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: `arn:aws:s3:::${bucket}/*` },
        { Sid: 'PartnerList', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
      ],
    },
    null,
    2,
  );
}

export async function createBucketWithPolicy(s3: S3Client, bucket: string, policy: string | null = publicReadPolicy(bucket)): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (policy !== null) await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
}

export function accessAnalyzerEvent(bucket: string, overrides: { findingId?: string; status?: string; accountId?: string } = {}): Record<string, unknown> {
  return accessAnalyzerEventFor(`arn:aws:s3:::${bucket}`, 'AWS::S3::Bucket', overrides);
}

/** A public KMS-style key policy is rare; cross-account use of a key is the usual finding. */
export function crossAccountKeyPolicy(accountId: string, external = '444455556666'): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-consolepolicy-3',
      Statement: [
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'Allow use of the key',
          Effect: 'Allow',
          Principal: { AWS: [`arn:aws:iam::${external}:root`, `arn:aws:iam::${accountId}:role/app`] },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

export function accessAnalyzerEventFor(
  resourceArn: string,
  resourceType: string,
  overrides: { findingId?: string; status?: string; accountId?: string; isPublic?: boolean; principal?: Record<string, string> } = {},
): Record<string, unknown> {
  const event = JSON.parse(readFileSync(SAMPLE_EVENT_PATH, 'utf8')) as Record<string, unknown> & { detail: Record<string, unknown> };
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    ...event,
    id: randomUUID(),
    time: now,
    account: overrides.accountId ?? event.account,
    detail: {
      ...event.detail,
      id: overrides.findingId ?? randomUUID(),
      resource: resourceArn,
      resourceType,
      status: overrides.status ?? event.detail.status,
      ...(overrides.isPublic === undefined ? {} : { isPublic: overrides.isPublic }),
      ...(overrides.principal ? { principal: overrides.principal } : {}),
      accountId: overrides.accountId ?? event.detail.accountId,
      createdAt: now,
      analyzedAt: now,
      updatedAt: now,
    },
  };
}

export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;
