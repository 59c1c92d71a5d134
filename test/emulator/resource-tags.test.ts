/** Exceptions by tag read the resource's tags with the Resource Groups Tagging API: against the emulator's S3. */
import { CreateBucketCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../lib/aws/clients';
import { readResourceTags } from '../../lib/aws/resource-tags';
import { uniqueName } from '../../local/fixtures';
import { useLocalStack } from '../support/emulator';

const stack = useLocalStack();
const s3 = new S3Client(stack.clientConfig);

describe('reading a resource’s tags', () => {
  it('returns the tags of a tagged bucket, and none for an untagged one', async () => {
    const tagged = uniqueName('tags-site');
    const plain = uniqueName('tags-plain');
    await s3.send(new CreateBucketCommand({ Bucket: tagged }));
    await s3.send(new CreateBucketCommand({ Bucket: plain }));
    const ticket = { 'remediator:exception': 'SEC-1234', 'remediator:exception-owner': 'web-team', 'remediator:exception-expires': '2027-01-15' };
    await s3.send(new PutBucketTaggingCommand({ Bucket: tagged, Tagging: { TagSet: Object.entries(ticket).map(([Key, Value]) => ({ Key, Value })) } }));

    const clients = new AwsClients(stack.clientConfig);
    expect(await readResourceTags(`arn:aws:s3:::${tagged}`, clients)).toEqual(ticket);
    expect(await readResourceTags(`arn:aws:s3:::${plain}`, clients)).toEqual({});
  });
});
