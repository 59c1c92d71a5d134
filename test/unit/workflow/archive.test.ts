import { AwsClients } from '../../../lib/aws/clients';
/**
 * Archive Finding. moto has no Access Analyzer, so this path is tested with the
 * SDK mocked (aws-sdk-client-mock); the workflow test of archive mode runs the
 * ASL on the emulator up to this call.
 */
import { AccessAnalyzerClient, UpdateFindingsCommand } from '@aws-sdk/client-accessanalyzer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { archiveFinding } from '../../../lib/findings/archive';
import { TEST_ANALYZER, finding as buildFinding } from '../../support/finding';

const analyzer = mockClient(AccessAnalyzerClient);
beforeEach(() => analyzer.reset());

const finding = () => buildFinding({ bucket: 'intended-public-site', id: 'f-123' });

describe('archiving intended access', () => {
  it('archives an Access Analyzer finding in the analyzer that reported it', async () => {
    analyzer.on(UpdateFindingsCommand).resolves({});
    const result = await archiveFinding(finding(), 'public-website', new AwsClients({ region: 'us-east-1' }));
    expect(result).toMatchObject({ status: 'ARCHIVED' });
    expect(analyzer.commandCalls(UpdateFindingsCommand)[0]!.args[0].input).toEqual({
      analyzerArn: TEST_ANALYZER,
      ids: ['f-123'],
      status: 'ARCHIVED',
    });
  });

  it('leaves findings of other sources as they are, and says so', async () => {
    const result = await archiveFinding({ ...finding(), source: 'guardduty' }, 'r', new AwsClients({ region: 'us-east-1' }));
    expect(result).toMatchObject({ status: 'NOT_ARCHIVED', reason: expect.stringContaining('guardduty') });
    expect(analyzer.commandCalls(UpdateFindingsCommand)).toHaveLength(0);
  });

  it('turns throttling into a TransientAwsError for the state machine to retry', async () => {
    analyzer.on(UpdateFindingsCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }));
    await expect(archiveFinding(finding(), 'r', new AwsClients({ region: 'us-east-1' }))).rejects.toMatchObject({ name: 'TransientAwsError' });
  });
});
