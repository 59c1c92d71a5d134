import { AwsClients } from '../../../lib/aws/clients';
/**
 * The authoritative rescan with Access Analyzer. moto has no Access Analyzer, so the
 * SDK is mocked here (aws-sdk-client-mock); the live re-check it adds to runs on the
 * emulator in the workflow tests.
 */
import { readFileSync } from 'node:fs';
import { AccessAnalyzerClient, GetFindingCommand, StartResourceScanCommand } from '@aws-sdk/client-accessanalyzer';
import { GetBucketAclCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand, PutBucketPolicyCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../../lib/audit/store';
import { parseRules } from '../../../lib/rules/load';
import { triage } from '../../../lib/rules/triage';
import { applyCorrectiveControl } from '../../../lib/workflow/apply-corrective-control';
import { checkResolution } from '../../../lib/workflow/check-resolution';
import type { DecidedState } from '../../../lib/workflow/state';
import { TEST_ANALYZER, finding } from '../../support/finding';

const analyzer = mockClient(AccessAnalyzerClient);
const s3 = mockClient(S3Client);
const ddb = mockClient(DynamoDBDocumentClient);
const rules = parseRules(readFileSync('remediator.rules.yaml', 'utf8'));
const ANALYZER = TEST_ANALYZER;
const denyAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'RemediatorDenyAll', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::closed-bucket', 'arn:aws:s3:::closed-bucket/*'] }] });
const publicPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::closed-bucket/*' }] });

function state(): DecidedState {
  const found = finding({ bucket: 'closed-bucket', id: 'f-9' });
  return { finding: found, decision: triage(found, rules) };
}

const verify = (rescan: boolean) => checkResolution({ state: state(), execution: 'arn:exec:x' }, { rules, remediationRoleArn: null, clients: new AwsClients({ region: 'us-east-1' }), rescan });

beforeEach(() => {
  analyzer.reset();
  s3.reset();
  ddb.reset();
  s3.on(GetBucketPolicyCommand).resolves({ Policy: denyAll });
  s3.on(GetPublicAccessBlockCommand).rejects(Object.assign(new Error('none'), { name: 'NoSuchPublicAccessBlockConfiguration' }));
  s3.on(GetBucketAclCommand).resolves({ Grants: [] });
});

describe('Check Resolution with the Access Analyzer rescan', () => {
  it('keeps the finding open while Access Analyzer still reports it ACTIVE, although the live bucket is closed', async () => {
    analyzer.on(GetFindingCommand).resolves({ finding: { status: 'ACTIVE' } as never });
    const result = await verify(true);
    expect(result.verification).toMatchObject({ status: 'STILL_OPEN', reason: expect.stringContaining('rescan pending') });
    expect(analyzer.commandCalls(GetFindingCommand)[0]!.args[0].input).toEqual({ analyzerArn: ANALYZER, id: 'f-9' });
  });

  it('resolves when both agree, or when the finding is gone', async () => {
    analyzer.on(GetFindingCommand).resolvesOnce({ finding: { status: 'RESOLVED' } as never }).rejectsOnce(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    expect((await verify(true)).verification?.status).toBe('RESOLVED');
    expect((await verify(true)).verification?.status).toBe('RESOLVED');
  });

  it('does not ask Access Analyzer while the live resource is still open', async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: publicPolicy });
    expect((await verify(true)).verification?.status).toBe('STILL_OPEN');
    expect(analyzer.commandCalls(GetFindingCommand)).toHaveLength(0);
  });

  it('answers from the live re-check alone where there is no Access Analyzer (the local stack)', async () => {
    expect((await verify(false)).verification?.status).toBe('RESOLVED');
    expect(analyzer.commandCalls(GetFindingCommand)).toHaveLength(0);
  });

  it('lets the state machine retry when Access Analyzer throttles', async () => {
    analyzer.on(GetFindingCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }));
    await expect(verify(true)).rejects.toMatchObject({ name: 'TransientAwsError' });
  });
});

describe('Apply Corrective Control with the Access Analyzer rescan', () => {
  it('asks the analyzer that reported the finding to rescan the resource right after the write', async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: publicPolicy });
    s3.on(PutBucketPolicyCommand).resolves({});
    s3.on(PutPublicAccessBlockCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(GetCommand).resolves({});
    analyzer.on(StartResourceScanCommand).resolves({});

    const result = await applyCorrectiveControl({ state: state(), execution: 'arn:exec:c1' }, { rules, audit: new AuditStore('audit', new AwsClients({ region: 'us-east-1' })), remediationRoleArn: null, clients: new AwsClients({ region: 'us-east-1' }), rescan: true });

    expect(result.change?.status).toBe('REMEDIATED');
    expect(analyzer.commandCalls(StartResourceScanCommand)[0]!.args[0].input).toEqual({ analyzerArn: ANALYZER, resourceArn: 'arn:aws:s3:::closed-bucket' });
  });

  it('still succeeds when the rescan cannot be started: the check runs anyway', async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: publicPolicy });
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(GetCommand).resolves({});
    analyzer.on(StartResourceScanCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const result = await applyCorrectiveControl({ state: state(), execution: 'arn:exec:c2' }, { rules, audit: new AuditStore('audit', new AwsClients({ region: 'us-east-1' })), remediationRoleArn: null, clients: new AwsClients({ region: 'us-east-1' }), rescan: true });
    expect(result.change?.status).toBe('REMEDIATED');
  });
});
