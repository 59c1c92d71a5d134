/** How an execution ended, and the exit code that means for `run --follow` and `status`. */
import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../cli/errors';
import { endingOf, exitCodeOf } from '../../../cli/execution';
import { finding } from '../../support/finding';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:remediation:manual-abc';
const described = (fields: Partial<DescribeExecutionCommandOutput>): DescribeExecutionCommandOutput =>
  ({ $metadata: {}, executionArn: ARN, stateMachineArn: 'x', startDate: new Date('2026-12-03T07:00:00Z'), ...fields }) as DescribeExecutionCommandOutput;

const decision = (action: string, mode = 'auto') => ({
  action,
  controlId: 's3-deny-all-bucket-policy',
  mode,
  ruleId: 'public-buckets',
  reason: 'public',
  route: { slackChannel: '#sec', approvers: [] },
  rescan: { waitSeconds: 0, maxAttempts: 1 },
  escalation: { timeoutSeconds: 60 },
  approval: { timeoutSeconds: 60 },
});

describe('the ending of an execution', () => {
  it('is 0 when it ended RESOLVED, with the change it made', () => {
    const state = {
      finding: finding({ bucket: 'b' }),
      decision: decision('REMEDIATE'),
      change: { status: 'REMEDIATED', changeId: 'manual-abc', summary: 's', reason: 'r', controlId: 's3-deny-all-bucket-policy' },
      verification: { status: 'RESOLVED', attempt: 1, attemptsLeft: 0, reason: 'closed' },
    };
    const ending = endingOf(described({ status: 'SUCCEEDED', output: JSON.stringify(state) }), ARN);
    expect(ending).toMatchObject({ outcome: 'RESOLVED', changeId: 'manual-abc', exitCode: EXIT.OK, error: null });
  });

  it('is 0 for a dry run that completed, and 3 when the run ended without resolving (escalated)', () => {
    const dryRun = { finding: finding({ bucket: 'b' }), decision: decision('DRY_RUN', 'dry-run'), plan: { summary: 'deny-all', applicable: true, reason: 'public' } };
    expect(endingOf(described({ status: 'SUCCEEDED', output: JSON.stringify(dryRun) }), ARN)).toMatchObject({ outcome: 'DRY_RUN', exitCode: EXIT.OK });
    const escalated = { finding: finding({ bucket: 'b' }), decision: decision('REMEDIATE'), escalation: { Error: 'States.Timeout' } };
    expect(endingOf(described({ status: 'SUCCEEDED', output: JSON.stringify(escalated) }), ARN)).toMatchObject({ outcome: 'ESCALATED', exitCode: EXIT.NOT_RESOLVED });
  });

  it('is 1 with the named error when the execution failed', () => {
    const cause = JSON.stringify({ errorType: 'ResourceNotFoundError', errorMessage: 'no such bucket', trace: ['ResourceNotFoundError: no such bucket', '    at readBucket (lib/controls/s3-bucket.ts:1:1)'] });
    const ending = endingOf(described({ status: 'FAILED', error: 'ResourceNotFoundError', cause }), ARN);
    expect(ending).toMatchObject({ outcome: 'FAILED', error: 'ResourceNotFoundError', exitCode: EXIT.FAILED });
    expect(ending.headline).toBe('ResourceNotFoundError: no such bucket');
  });

  it('is 5 while the execution runs', () => {
    expect(endingOf(described({ status: 'RUNNING' }), ARN)).toMatchObject({ outcome: null, exitCode: EXIT.RUNNING });
  });

  it('counts a rollback that ended ROLLED_BACK as done, and a timed-out execution as failed', () => {
    expect(exitCodeOf('SUCCEEDED', 'ROLLED_BACK')).toBe(EXIT.OK);
    expect(exitCodeOf('SUCCEEDED', 'NOTIFIED')).toBe(EXIT.NOT_RESOLVED);
    expect(exitCodeOf('TIMED_OUT', null)).toBe(EXIT.FAILED);
  });
});
