/** The remediate CLI against the local stack: a manual runbook, a plan, a rollback, a status. */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { main, type CliIo } from '../../cli/main';
import { executionName } from '../../lib/workflow/types';
import { createBucketWithPolicy, publicReadPolicy, uniqueName } from '../../local/fixtures';
import { useLocalStack } from '../support/emulator';
import { livePolicy, path, runToEnd } from './helpers';

const stack = useLocalStack();
const s3 = new S3Client(stack.clientConfig);
const sfn = new SFNClient(stack.clientConfig);

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    env: { ...process.env, REMEDIATOR_STATE_MACHINE_ARN: stack.stateMachineArn, REMEDIATOR_AUDIT_TABLE: stack.auditTable },
  };
  const code = await main(argv, io);
  return { code, out, err };
}

const startedArn = (out: string): string => /started (\S+)/.exec(out)?.[1] ?? '';

describe('remediate run', () => {
  it('runs the workflow for one resource as a manual request, and rollback puts the policy back', async () => {
    const bucket = uniqueName('cli-run');
    await createBucketWithPolicy(s3, bucket);
    const started = await cli('run', 's3-deny-all-bucket-policy', '--resource', `arn:aws:s3:::${bucket}`, '--reason', 'INC-4242');
    expect(started.code).toBe(0);
    const result = await runToEnd(sfn, startedArn(started.out));
    expect(result.status).toBe('SUCCEEDED');
    expect(path(result)).toContain('Apply Corrective Control');
    expect(JSON.parse((await livePolicy(s3, bucket))!).Statement[0].Effect).toBe('Deny');

    const status = await cli('status', startedArn(started.out));
    expect(status.out).toMatch(/status: SUCCEEDED/);
    expect(status.out).toMatch(/outcome: RESOLVED/);

    const rolledBack = await cli('rollback', startedArn(started.out));
    expect(rolledBack.code).toBe(0);
    // The rollback runs through the workflow, as a proven ROLLBACK request.
    const rollback = await runToEnd(sfn, startedArn(rolledBack.out));
    expect(path(rollback)).toEqual(['Classify Finding', 'Route?', 'Roll Back Change', 'Record And Notify', 'Done']);
    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));
    const change = await new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig)).getChange(executionName(startedArn(started.out)));
    expect(change).toMatchObject({ status: 'ROLLED_BACK', rollbackBy: startedArn(rolledBack.out) });
    expect(change?.rolledBackBy).toMatch(/^arn:aws:(sts|iam)::/);

    // A second rollback of the same change is refused before anything starts.
    expect((await cli('rollback', startedArn(started.out))).err).toMatch(/ROLLED_BACK/);
  });

  it('asks for nothing more than a dry run when told --dry-run, and changes nothing', async () => {
    const bucket = uniqueName('cli-dry');
    await createBucketWithPolicy(s3, bucket);
    const started = await cli('run', 's3-deny-all-bucket-policy', '--resource', `arn:aws:s3:::${bucket}`, '--dry-run');
    const result = await runToEnd(sfn, startedArn(started.out));
    expect(path(result)).toEqual(['Classify Finding', 'Route?', 'Plan Corrective Control', 'Record And Notify', 'Done']);
    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));
  });

  it('refuses an unknown control before starting anything', async () => {
    const result = await cli('run', 's3-make-it-so', '--resource', 'arn:aws:s3:::x');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/ControlNotFoundError/);
  });
});

describe('remediate plan', () => {
  it('shows the exact change from the live bucket and writes nothing', async () => {
    const bucket = uniqueName('cli-plan');
    await createBucketWithPolicy(s3, bucket);
    const result = await cli('plan', 's3-deny-all-bucket-policy', '--resource', `arn:aws:s3:::${bucket}`, '--account', stack.accountId);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/WOULD CHANGE/);
    expect(result.out).toContain('"Sid": "PublicReadForWebsite"');
    expect(result.out).toContain('RemediatorDenyAll');
    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));
  });
});
