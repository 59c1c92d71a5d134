/**
 * What the burst starts from: cheap resources of four types, each opened the
 * way the sample findings describe, and the findings about them built from the
 * sample events in events/ (four sources), re-aimed at this run's resources
 * with fresh finding ids and timestamps. Only the resource names, account and
 * ids change: the shape of every event is the sample's.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { publicReadPolicy } from '../local/fixtures';

export type ResourceKind = 's3' | 'sqs' | 'sns' | 'sg';

export interface BurstResource {
  kind: ResourceKind;
  /** What the finding and the control name it by (bucket / queue / topic name, group id). */
  name: string;
  arn: string;
}

export interface EmulatorClients {
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  ec2: EC2Client;
}

const EXTERNAL_ACCOUNT = '444455556666';

function sample(path: string): string {
  return readFileSync(fileURLToPath(new URL(`../events/${path}`, import.meta.url)), 'utf8');
}

/** The sample events a finding of each kind is built from, and the resource name each sample names. */
const SAMPLES = {
  s3AccessAnalyzer: { text: sample('access-analyzer/s3-bucket-public.json'), names: [] as string[] },
  s3Config: { text: sample('config/s3-bucket-public-read-noncompliant.json'), names: ['remediator-demo-public-assets'] },
  s3GuardDuty: { text: sample('guardduty/s3-bucket-public-access-granted.json'), names: ['remediator-demo-partner-share'] },
  s3SecurityHub: { text: sample('security-hub/config-s3-bucket-failed.json'), names: ['member-uploads'] },
  sqsAccessAnalyzer: { text: sample('access-analyzer/sqs-queue-public.json'), names: ['remediator-demo-intake'] },
  sqsConfig: { text: sample('config/sqs-queue-by-url-noncompliant.json'), names: ['remediator-demo-intake'] },
  snsAccessAnalyzer: { text: sample('access-analyzer/sns-topic-cross-account.json'), names: ['remediator-demo-alerts'] },
  // No sample names a security group: the Config sample of a bucket with the rule and resource of restricted-ssh.
  sgConfig: { text: sample('config/s3-bucket-public-read-noncompliant.json'), names: ['remediator-demo-public-assets'] },
} as const;
export type SampleName = keyof typeof SAMPLES;

/** Which samples can report a resource of each kind (several findings per resource come from these in turn). */
export const SAMPLES_BY_KIND: Record<ResourceKind, readonly SampleName[]> = {
  s3: ['s3AccessAnalyzer', 's3Config', 's3GuardDuty', 's3SecurityHub'],
  sqs: ['sqsAccessAnalyzer', 'sqsConfig'],
  sns: ['snsAccessAnalyzer'],
  sg: ['sgConfig'],
};

export const SOURCE_OF_SAMPLE: Record<SampleName, string> = {
  s3AccessAnalyzer: 'access-analyzer',
  s3Config: 'config',
  s3GuardDuty: 'guardduty',
  s3SecurityHub: 'security-hub',
  sqsAccessAnalyzer: 'access-analyzer',
  sqsConfig: 'config',
  snsAccessAnalyzer: 'access-analyzer',
  sgConfig: 'config',
};

const replaceAll = (text: string, from: readonly string[], to: string): string => from.reduce((t, f) => t.split(f).join(to), text);

/** A new finding (its own id, this moment) about `resource`, from `sampleName`. */
export function findingEvent(sampleName: SampleName, resource: BurstResource, accountId: string): Record<string, unknown> {
  const { text, names } = SAMPLES[sampleName];
  const event = JSON.parse(replaceAll(text.split('111122223333').join(accountId), names, resource.name)) as Record<string, unknown> & { detail: Record<string, unknown> };
  const now = new Date();
  const iso = now.toISOString();
  const seconds = iso.replace(/\.\d{3}Z$/, 'Z');
  const findingId = randomUUID();
  event.id = randomUUID();
  event.time = seconds;
  event.account = accountId;
  const detail = event.detail;
  switch (sampleName) {
    case 's3AccessAnalyzer':
    case 'sqsAccessAnalyzer':
    case 'snsAccessAnalyzer':
      Object.assign(detail, { id: findingId, resource: resource.arn, accountId, createdAt: seconds, analyzedAt: seconds, updatedAt: seconds });
      break;
    case 's3Config':
    case 'sqsConfig':
    case 'sgConfig': {
      const qualifier = (detail.newEvaluationResult as { evaluationResultIdentifier: { evaluationResultQualifier: Record<string, unknown>; orderingTimestamp: string } })
        .evaluationResultIdentifier;
      qualifier.orderingTimestamp = iso;
      detail.notificationCreationTime = iso;
      (detail.newEvaluationResult as Record<string, unknown>).resultRecordedTime = iso;
      if (sampleName === 'sgConfig') {
        Object.assign(qualifier.evaluationResultQualifier, { configRuleName: 'restricted-ssh', resourceType: 'AWS::EC2::SecurityGroup', resourceId: resource.name });
        Object.assign(detail, { configRuleName: 'restricted-ssh', resourceType: 'AWS::EC2::SecurityGroup', resourceId: resource.name });
        delete detail.oldEvaluationResult;
      }
      break;
    }
    case 's3GuardDuty': {
      const gdId = findingId.replace(/-/g, '');
      Object.assign(detail, { id: gdId, arn: String(detail.arn).replace(/finding\/[0-9a-f]+$/, `finding/${gdId}`), accountId, createdAt: iso, updatedAt: iso });
      break;
    }
    case 's3SecurityHub': {
      const finding = (detail.findings as Record<string, unknown>[])[0]!;
      Object.assign(finding, { Id: String(finding.Id).replace(/finding\/[0-9a-f]+$/, `finding/${findingId.replace(/-/g, '')}`), CreatedAt: iso, UpdatedAt: iso });
      break;
    }
  }
  return event;
}

/** The same event delivered again (EventBridge is at-least-once): a new event id, the same finding. */
export function redelivery(event: Record<string, unknown>): Record<string, unknown> {
  return { ...event, id: randomUUID() };
}

function queuePolicy(arn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'PublicSend', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sqs:SendMessage', Resource: arn },
    ],
  });
}

function topicPolicy(arn: string, accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Owner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: ['sns:Publish', 'sns:Subscribe'], Resource: arn },
      { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: EXTERNAL_ACCOUNT }, Action: ['sns:Publish', 'sns:Subscribe'], Resource: arn },
    ],
  });
}

/** Create one resource of `kind`, opened the way its findings say. */
export async function createExposedResource(clients: EmulatorClients, kind: ResourceKind, name: string, region: string, accountId: string): Promise<BurstResource> {
  switch (kind) {
    case 's3':
      await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
      await clients.s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: publicReadPolicy(name) }));
      return { kind, name, arn: `arn:aws:s3:::${name}` };
    case 'sqs': {
      const arn = `arn:aws:sqs:${region}:${accountId}:${name}`;
      const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
      await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: queuePolicy(arn) } }));
      return { kind, name, arn };
    }
    case 'sns': {
      const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: name }));
      await clients.sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: topicPolicy(TopicArn!, accountId) }));
      return { kind, name, arn: TopicArn! };
    }
    case 'sg': {
      const { GroupId } = await clients.ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: 'bench: ssh open to the world' }));
      await clients.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }),
      );
      return { kind, name: GroupId!, arn: `arn:aws:ec2:${region}:${accountId}:security-group/${GroupId}` };
    }
  }
}
