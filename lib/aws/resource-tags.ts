/**
 * The tags of one resource, for exceptions by tag (`exceptionTags` in the rules file):
 * the Resource Groups Tagging API reads them for every taggable type with one call.
 */
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { AwsClients } from './clients';

/** `{ key: value }` of the resource's tags; empty when it has none (or the API does not know it). */
export async function readResourceTags(resourceArn: string, clients: AwsClients): Promise<Record<string, string>> {
  const result = await clients.get(ResourceGroupsTaggingAPIClient).send(new GetResourcesCommand({ ResourceARNList: [resourceArn] }));
  const mapping = (result.ResourceTagMappingList ?? []).find((entry) => entry.ResourceARN === resourceArn);
  return Object.fromEntries((mapping?.Tags ?? []).flatMap((tag) => (tag.Key !== undefined ? [[tag.Key, tag.Value ?? '']] : [])));
}
