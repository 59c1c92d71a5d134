/**
 * Check Resolution asks the source that raised the finding, once the live re-check passed
 * (deployed: the rescan setting on). moto has no Config compliance API
 * (StartConfigRulesEvaluation, GetComplianceDetailsByResource) and no GuardDuty ArchiveFindings,
 * so those SDK calls are mocked here (aws-sdk-client-mock), and so are the live reads they follow
 * (S3, IAM), to keep this a unit test; the live re-checks run on the emulator in test/workflow/catalog.test.ts.
 */
import { readFileSync } from 'node:fs';
import { ConfigServiceClient, GetComplianceDetailsByResourceCommand, StartConfigRulesEvaluationCommand } from '@aws-sdk/client-config-service';
import { ArchiveFindingsCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetBucketAclCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import type { Finding } from '../../../lib/finding';
import { parseRules } from '../../../lib/rules/load';
import { triage } from '../../../lib/rules/triage';
import { normalizeEvent } from '../../../lib/sources';
import { verifyingSourceOf } from '../../../lib/verify/source';
import { checkResolution } from '../../../lib/workflow/check-resolution';
import type { DecidedState } from '../../../lib/workflow/state';

const config = mockClient(ConfigServiceClient);
const guardduty = mockClient(GuardDutyClient);
const s3 = mockClient(S3Client);
const iam = mockClient(IAMClient);
const rules = parseRules(readFileSync('remediator.rules.yaml', 'utf8'));

const BUCKET = 'remediator-demo-public-assets';
const RULE = 's3-bucket-public-read-prohibited';
const denyAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'RemediatorDenyAll', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] }] });
const publicPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }] });

function findingOf(file: string): Finding {
  const result = normalizeEvent(JSON.parse(readFileSync(`events/${file}.json`, 'utf8')), {});
  if (result.kind !== 'findings') throw new Error(`${file}: ${result.kind}`);
  return result.findings[0]!;
}

function stateOf(finding: Finding): DecidedState {
  return { finding, decision: triage(finding, rules) };
}

const check = (finding: Finding, rescan = true) =>
  checkResolution({ state: stateOf(finding), execution: 'arn:exec:v' }, { rules, remediationRoleArn: null, clients: new AwsClients({ region: 'us-east-1' }), rescan });

const awsError = (name: string, status = 400) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const verdict = (compliance: string) => ({
  EvaluationResults: [{ ComplianceType: compliance as 'COMPLIANT', EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: RULE } } }],
});

beforeEach(() => {
  for (const mock of [config, guardduty, s3, iam]) mock.reset();
  s3.on(GetBucketPolicyCommand).resolves({ Policy: denyAll });
  s3.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration', 404));
  s3.on(GetBucketAclCommand).resolves({ Grants: [] });
});

describe('Check Resolution of a Config finding', () => {
  const configFinding = () => findingOf('config/s3-bucket-public-read-noncompliant');

  it("asks Config to re-evaluate the rule, then resolves on Config's COMPLIANT verdict on the resource", async () => {
    config.on(StartConfigRulesEvaluationCommand).resolves({});
    config.on(GetComplianceDetailsByResourceCommand).resolves(verdict('COMPLIANT'));

    const result = await check(configFinding());

    expect(result.verification).toMatchObject({ status: 'RESOLVED', attempt: 1, reason: expect.stringContaining(`Config evaluates ${RULE} COMPLIANT on ${BUCKET}`) });
    expect(config.commandCalls(StartConfigRulesEvaluationCommand)[0]!.args[0].input).toEqual({ ConfigRuleNames: [RULE] });
    expect(config.commandCalls(GetComplianceDetailsByResourceCommand)[0]!.args[0].input).toEqual({ ResourceType: 'AWS::S3::Bucket', ResourceId: BUCKET });
  });

  it('keeps the finding open while Config still evaluates the resource NON_COMPLIANT, or has no verdict yet', async () => {
    config.on(StartConfigRulesEvaluationCommand).resolves({});
    config.on(GetComplianceDetailsByResourceCommand).resolvesOnce(verdict('NON_COMPLIANT')).resolvesOnce({ EvaluationResults: [] });

    const stale = await check(configFinding());
    const none = await check(configFinding());

    expect(stale.verification).toMatchObject({ status: 'STILL_OPEN', reason: expect.stringMatching(/on the live resource, but Config still evaluates .* NON_COMPLIANT .*\(re-evaluation started\)$/) });
    expect(none.verification).toMatchObject({ status: 'STILL_OPEN', reason: expect.stringContaining('Config has no verdict') });
  });

  it('reads the verdict anyway when an evaluation is already running (LimitExceededException)', async () => {
    config.on(StartConfigRulesEvaluationCommand).rejects(awsError('LimitExceededException'));
    config.on(GetComplianceDetailsByResourceCommand).resolves(verdict('NON_COMPLIANT'));
    expect((await check(configFinding())).verification).toMatchObject({ status: 'STILL_OPEN', reason: expect.stringContaining('re-evaluation already running') });
  });

  it('still counts Config\'s verdict when the re-evaluation cannot be started (the rescan never fails the check)', async () => {
    config.on(StartConfigRulesEvaluationCommand).rejects(awsError('NoSuchConfigRuleException'));
    config.on(GetComplianceDetailsByResourceCommand).resolves(verdict('COMPLIANT'));
    expect((await check(configFinding())).verification?.status).toBe('RESOLVED');
  });

  it('lets the state machine retry when Config throttles', async () => {
    config.on(StartConfigRulesEvaluationCommand).resolves({});
    config.on(GetComplianceDetailsByResourceCommand).rejects(awsError('ThrottlingException', 429));
    await expect(check(configFinding())).rejects.toMatchObject({ name: 'TransientAwsError' });
  });

  it('asks Config nothing while the live bucket is still open, nor on the local stack', async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: publicPolicy });
    expect((await check(configFinding())).verification?.status).toBe('STILL_OPEN');
    s3.on(GetBucketPolicyCommand).resolves({ Policy: denyAll });
    expect((await check(configFinding(), false)).verification?.status).toBe('RESOLVED');
    expect(config.calls()).toHaveLength(0);
  });
});

describe('Check Resolution of a GuardDuty access-key finding', () => {
  const keyFinding = () => findingOf('guardduty/iam-user-malicious-ip-caller');
  const keys = (status: 'Active' | 'Inactive') =>
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: status, UserName: 'legacy-reporting' }, { AccessKeyId: 'AKIAOTHERKEYEXAMPLE1', Status: 'Active', UserName: 'legacy-reporting' }] });

  it("archives the finding in the detector the event named once the key it names is inactive (the user's other key is not its business)", async () => {
    keys('Inactive');
    guardduty.on(ArchiveFindingsCommand).resolves({});

    const result = await check(keyFinding());

    expect(result.verification).toMatchObject({ status: 'RESOLVED', reason: expect.stringContaining('GuardDuty finding 4007f5d7ecba8c2b2f9e6d5c4b3a2fb5 archived in detector 12cc51e1c99e833adf5924c71ac591b2') });
    expect(guardduty.commandCalls(ArchiveFindingsCommand).map((c) => c.args[0].input)).toEqual([
      { DetectorId: '12cc51e1c99e833adf5924c71ac591b2', FindingIds: ['4007f5d7ecba8c2b2f9e6d5c4b3a2fb5'] },
    ]);
    expect(guardduty.commandCalls(ListDetectorsCommand)).toHaveLength(0);
  });

  it('archives nothing while the key is still active', async () => {
    keys('Active');
    expect((await check(keyFinding())).verification).toMatchObject({ status: 'STILL_OPEN', reason: expect.stringContaining('AKIAIOSFODNN7EXAMPLE still active') });
    expect(guardduty.calls()).toHaveLength(0);
  });

  it('stays resolved, and says so, when GuardDuty refuses to archive: the key is off', async () => {
    keys('Inactive');
    guardduty.on(ArchiveFindingsCommand).rejects(awsError('AccessDeniedException', 403));
    expect((await check(keyFinding())).verification).toMatchObject({ status: 'RESOLVED', reason: expect.stringMatching(/could not be archived: .*AccessDeniedException/) });
  });

  it('lets the state machine retry when GuardDuty throttles', async () => {
    keys('Inactive');
    guardduty.on(ArchiveFindingsCommand).rejects(awsError('TooManyRequestsException', 429));
    await expect(check(keyFinding())).rejects.toMatchObject({ name: 'TransientAwsError' });
  });

  it('archives nothing on the local stack', async () => {
    keys('Inactive');
    expect((await check(keyFinding(), false)).verification?.status).toBe('RESOLVED');
    expect(guardduty.calls()).toHaveLength(0);
  });
});

describe('the source to ask', () => {
  it('is the source that raised the finding, directly or through Security Hub, and none for a manual request', () => {
    expect(verifyingSourceOf(findingOf('access-analyzer/s3-bucket-public'))).toBe('access-analyzer');
    expect(verifyingSourceOf(findingOf('config/s3-bucket-public-read-noncompliant'))).toBe('config');
    expect(verifyingSourceOf(findingOf('guardduty/iam-user-malicious-ip-caller'))).toBe('guardduty');
    expect(verifyingSourceOf(findingOf('security-hub/guardduty-iam-access-key'))).toBe('guardduty');
    expect(verifyingSourceOf(findingOf('security-hub/config-s3-bucket-failed'))).toBe('config');
    expect(verifyingSourceOf({ ...findingOf('access-analyzer/s3-bucket-public'), source: 'manual' })).toBeNull();
  });
});
