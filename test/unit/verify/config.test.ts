/**
 * The Config rescan adapters. moto has no StartConfigRulesEvaluation nor
 * GetComplianceDetailsByResource, so the SDK is mocked (aws-sdk-client-mock).
 */
import {
  ConfigServiceClient,
  GetComplianceDetailsByResourceCommand,
  StartConfigRulesEvaluationCommand,
  type GetComplianceDetailsByResourceCommandOutput,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../lib/aws/clients';
import type { Finding } from '../../../lib/finding';
import { normalizeEvent } from '../../../lib/sources';
import { configCompliance, configResourceIdOf, configRuleNameOf, requestConfigReevaluation } from '../../../lib/verify/config';

const config = mockClient(ConfigServiceClient);
const clients = () => new AwsClients({ region: 'us-east-1' });

function configFinding(file: string): Finding {
  const result = normalizeEvent(JSON.parse(readFileSync(file, 'utf8')), {});
  if (result.kind !== 'findings') throw new Error(`${file}: ${result.kind}`);
  return result.findings[0]!;
}

const conformancePack = () => configFinding('events/config/conformance-pack-lambda-public-noncompliant.json');
const result = (rule: string, compliance: string) => ({
  ComplianceType: compliance as 'COMPLIANT',
  EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: rule } },
});

beforeEach(() => config.reset());

describe('Config rescan', () => {
  it('re-evaluates the rule under its deployed (conformance pack) name, not the managed rule name', async () => {
    const finding = conformancePack();
    expect(finding.type).not.toBe(configRuleNameOf(finding));
    expect(configRuleNameOf(finding)).toMatch(/-conformance-pack-/);
    config.on(StartConfigRulesEvaluationCommand).resolves({});
    await requestConfigReevaluation(clients(), finding);
    expect(config.commandCalls(StartConfigRulesEvaluationCommand)[0]!.args[0].input).toEqual({ ConfigRuleNames: [configRuleNameOf(finding)] });
  });

  it("reads the rule's verdict on the resource, ignoring other rules' results, across pages", async () => {
    const finding = conformancePack();
    const rule = configRuleNameOf(finding);
    config
      .on(GetComplianceDetailsByResourceCommand)
      .resolvesOnce({ EvaluationResults: [result('some-other-rule', 'NON_COMPLIANT')], NextToken: 'p2' })
      .resolvesOnce({ EvaluationResults: [result(rule, 'COMPLIANT')] });
    expect(await configCompliance(clients(), finding)).toBe('COMPLIANT');
    const calls = config.commandCalls(GetComplianceDetailsByResourceCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { ResourceType: finding.resource.type, ResourceId: configResourceIdOf(finding) },
      { ResourceType: finding.resource.type, ResourceId: configResourceIdOf(finding), NextToken: 'p2' },
    ]);
  });

  it('answers NON_COMPLIANT, and null while Config has no usable verdict', async () => {
    const finding = conformancePack();
    const rule = configRuleNameOf(finding);
    const answers: Array<[GetComplianceDetailsByResourceCommandOutput, string | null]> = [
      [{ EvaluationResults: [result(rule, 'NON_COMPLIANT')], $metadata: {} }, 'NON_COMPLIANT'],
      [{ EvaluationResults: [result(rule, 'INSUFFICIENT_DATA')], $metadata: {} }, null],
      [{ EvaluationResults: [], $metadata: {} }, null],
    ];
    for (const [answer, expected] of answers) {
      config.reset();
      config.on(GetComplianceDetailsByResourceCommand).resolves(answer);
      expect(await configCompliance(clients(), finding)).toBe(expected);
    }
  });

  it('turns throttling into TransientAwsError for the Retry', async () => {
    config.on(StartConfigRulesEvaluationCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(requestConfigReevaluation(clients(), conformancePack())).rejects.toMatchObject({ name: 'TransientAwsError' });
  });

  it("counts every deployment of the managed rule when Config has no result under the finding's rule name (a Security Hub copy)", async () => {
    const copy = configFinding('events/security-hub/config-s3-bucket-failed.json');
    expect(configRuleNameOf(copy)).toBe('s3-bucket-public-write-prohibited');
    const pack = 's3-bucket-public-write-prohibited-conformance-pack-k3j4h5g6';
    const standard = 'securityhub-s3-bucket-public-write-prohibited-1a2b3c4d';
    const cases: Array<[ReturnType<typeof result>[], string | null]> = [
      [[result(pack, 'COMPLIANT'), result('s3-bucket-public-read-prohibited', 'NON_COMPLIANT')], 'COMPLIANT'],
      [[result(pack, 'COMPLIANT'), result(standard, 'NON_COMPLIANT')], 'NON_COMPLIANT'],
      [[result(pack, 'COMPLIANT'), result(standard, 'INSUFFICIENT_DATA')], null],
      [[result('s3-bucket-public-read-prohibited', 'COMPLIANT')], null],
    ];
    for (const [results, expected] of cases) {
      config.reset();
      config.on(GetComplianceDetailsByResourceCommand).resolves({ EvaluationResults: results });
      expect(await configCompliance(clients(), copy)).toBe(expected);
    }
  });

  it("answers IN_PROGRESS when Config says an evaluation is already running (LimitExceededException)", async () => {
    config.on(StartConfigRulesEvaluationCommand).rejects(Object.assign(new Error('in progress'), { name: 'LimitExceededException' }));
    expect(await requestConfigReevaluation(clients(), conformancePack())).toBe('IN_PROGRESS');
  });

  it('uses the resource id Config reported (a queue by its URL), not one rebuilt from the ARN', () => {
    const finding = configFinding('events/config/sqs-queue-by-url-noncompliant.json');
    expect(configResourceIdOf(finding)).toMatch(/^https:\/\/sqs\./);
  });
});
