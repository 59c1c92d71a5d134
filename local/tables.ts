/**
 * The local stack's DynamoDB tables, made from the very definitions that
 * serverless.yml deploys (keys and indexes), so the two cannot drift. Only the
 * settings DynamoDB's CreateTable takes are kept (TTL, encryption and point-in-
 * time recovery are separate calls on AWS and mean nothing to the emulator).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';

const SERVERLESS_YML = fileURLToPath(new URL('../serverless.yml', import.meta.url));

export function tableDefinition(logicalId: string, tableName: string): CreateTableCommandInput {
  // CloudFormation tags (!Ref, !Sub, …) elsewhere in the file are kept as plain values.
  const template = parse(readFileSync(SERVERLESS_YML, 'utf8'), { logLevel: 'silent' }) as {
    resources: { Resources: Record<string, { Type: string; Properties: CreateTableCommandInput }> };
  };
  const resource = template.resources.Resources[logicalId];
  if (resource?.Type !== 'AWS::DynamoDB::Table') throw new Error(`serverless.yml has no DynamoDB table ${logicalId}`);
  const { BillingMode, AttributeDefinitions, KeySchema, GlobalSecondaryIndexes } = resource.Properties;
  return { TableName: tableName, BillingMode, AttributeDefinitions, KeySchema, ...(GlobalSecondaryIndexes ? { GlobalSecondaryIndexes } : {}) };
}
