/** The remediate CLI against the local stack: a manual runbook (followed or not), a plan, a rollback, a status, a history. */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { runCli } from '../support/cli';
import { executionName } from '../../lib/workflow/types';
import { createBucketWithPolicy, publicReadPolicy, uniqueName } from '../../local/fixtures';
import { useLocalStack } from '../support/emulator';
import { livePolicy, path, runToEnd } from './helpers';

const stack = useLocalStack();
const s3 = new S3Client(stack.clientConfig);
const sfn = new SFNClient(stack.clientConfig);

const cli = (...argv: string[]) => runCli(stack, ...argv);

const startedArn = (out: string): string => /started (\S+)/.exec(out)?.[1] ?? '';
/** The timeline lines of an output (`  +  0.12s  …` and the notes under them). */
const timelineLines = (out: string): string[] => out.split('\n').filter((line) => /^ {2}\+ *\d+\.\d{2}s {2}/.test(line) || /^ {15}↳ /.test(line));
const jsonLines = (out: string): Record<string, unknown>[] => out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

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

describe('remediate run --follow', () => {
  it('prints the timeline as the run goes and exits 0 when it ends RESOLVED; status prints the same timeline; history and rollback follow', async () => {
    const bucket = uniqueName('cli-follow');
    const resource = `arn:aws:s3:::${bucket}`;
    await createBucketWithPolicy(s3, bucket);
    const run = await cli('run', 's3-deny-all-bucket-policy', '--resource', resource, '--follow');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const timeline = timelineLines(run.out);
    expect(timeline[0]).toMatch(/^ {2}\+ {2}0\.\d\ds {2}Classify Finding \(Task\)$/);
    expect(run.out).toMatch(/↳ decision REMEDIATE \(mode auto, rule [\w-]+, control s3-deny-all-bucket-policy\)/);
    const name = executionName(startedArn(run.out));
    expect(run.out).toContain(`↳ change REMEDIATED ${name}`);
    expect(run.out).toMatch(/↳ verification RESOLVED \(attempt 1/);
    expect(run.out).toMatch(/SUCCEEDED\nstatus: SUCCEEDED\noutcome: RESOLVED — /);

    // Later, status prints the timeline the run printed live, from the execution history.
    const status = await cli('status', name);
    expect(status.code).toBe(0);
    expect(timelineLines(status.out)).toEqual(timeline);
    expect(status.out).toContain(`change record: s3-deny-all-bucket-policy on ${resource}, APPLIED, by `);

    const history = await cli('history', '--resource', resource);
    expect(history.code).toBe(0);
    expect(history.out).toMatch(new RegExp(`verification {2}RESOLVED: ${resource} remediated and verified`));
    // The change's before/after, as a diff under its entry.
    expect(history.out).toMatch(/^ +- {6}"Sid": "PublicReadForWebsite",$/m);
    expect(history.out).toMatch(/^ +\+ {6}"Sid": "RemediatorDenyAll",$/m);
    expect(history.out.indexOf('verification  RESOLVED')).toBeLessThan(history.out.indexOf('change        s3-deny-all-bucket-policy'));

    const rollback = await cli('rollback', name, '--follow', '--reason', 'serves the website');
    expect(rollback.code).toBe(0);
    expect(rollback.out).toMatch(/↳ rollback of change [\w-]+: ROLLED_BACK/);
    expect(rollback.out).toMatch(/outcome: ROLLED_BACK/);
    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));

    const after = JSON.parse((await cli('history', '--resource', resource, '--json')).out) as { kind: string; by?: string; change?: { status: string } }[];
    expect(after.map((entry) => entry.kind)).toEqual(['rollback', 'verification', 'change']);
    expect(after[0]!.by).toMatch(/^arn:aws:(sts|iam)::/);
    expect(after[2]!.change?.status).toBe('ROLLED_BACK');
  });

  it('--json gives JSON lines: started, each timeline entry, and the outcome (a dry run that completed exits 0)', async () => {
    const bucket = uniqueName('cli-json');
    await createBucketWithPolicy(s3, bucket);
    const run = await cli('run', 's3-deny-all-bucket-policy', '--resource', `arn:aws:s3:::${bucket}`, '--dry-run', '--follow', '--json');
    expect(run.code).toBe(0);
    const lines = jsonLines(run.out);
    expect(lines[0]).toMatchObject({ type: 'started', executionArn: expect.stringContaining(':execution:') });
    expect(lines.filter((line) => line.type === 'state').map((line) => line.state)).toContain('Plan Corrective Control');
    expect(lines.at(-1)).toMatchObject({ type: 'outcome', status: 'SUCCEEDED', outcome: 'DRY_RUN', exitCode: 0 });
    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));
  });

  it('exits 1 with the named error when the execution fails', async () => {
    const run = await cli('run', 's3-deny-all-bucket-policy', '--resource', `arn:aws:s3:::${uniqueName('cli-missing')}`, '--follow');
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/status: FAILED \((\w+Error)\)/);
    const error = /status: FAILED \((\w+Error)\)/.exec(run.out)?.[1];
    expect(run.out).toContain(`↳ error ${error}`);
  });

  it('exits 3 when the run ends without a fix to verify (the bucket was not exposed)', async () => {
    const bucket = uniqueName('cli-private');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const run = await cli('run', 's3-deny-all-bucket-policy', '--resource', `arn:aws:s3:::${bucket}`, '--follow');
    expect(run.out).toMatch(/outcome: (NOT_APPLICABLE|ALREADY_RESOLVED) — /);
    expect(run.code).toBe(3);
    expect(await livePolicy(s3, bucket)).toBeNull();
  });
});

describe('remediate status', () => {
  it('exits 4 for an execution that does not exist, and says where to look', async () => {
    const result = await cli('status', 'manual-no-such-execution');
    expect(result.code).toBe(4);
    expect(result.err).toMatch(/NotFoundError: no execution .*manual-no-such-execution/);
  });
});

describe('remediate plan, as a diff', () => {
  it('shows a unified diff of the policy and who loses access; --json gives before, after, diff and lost', async () => {
    const bucket = uniqueName('cli-diff');
    await createBucketWithPolicy(s3, bucket);
    const text = await cli('plan', 's3-deny-all-bucket-policy', '--resource', `arn:aws:s3:::${bucket}`, '--account', stack.accountId);
    expect(text.out).toMatch(/^--- policy \(before\)$/m);
    expect(text.out).toMatch(/^\+\+\+ policy \(after\)$/m);
    expect(text.out).toMatch(/^@@ /m);
    expect(text.out).toMatch(/^- {6}"Sid": "PublicReadForWebsite",$/m);
    expect(text.out).toMatch(/^\+ {6}"Effect": "Deny",$/m);
    expect(text.out).toMatch(/who loses access:\n {2}- anyone \(public\): s3:GetObject — policy statement PublicReadForWebsite\n {2}- 444455556666: s3:ListBucket/);
    expect(text.out).toMatch(/^ {2}also changes publicAccessBlock: \(none\) → /m);

    const json = JSON.parse((await cli('plan', 's3-deny-all-bucket-policy', '--resource', `arn:aws:s3:::${bucket}`, '--account', stack.accountId, '--json')).out) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['before', 'after', 'diff', 'lost', 'summary']));
    expect((json.before as Record<string, string>).policy).toBe(publicReadPolicy(bucket));
    expect(json.diff).toContain('--- policy (before)');
    expect(json.lost).toContainEqual(expect.objectContaining({ who: ['anyone (public)'], external: true }));
    expect(await livePolicy(s3, bucket)).toBe(publicReadPolicy(bucket));
  });
});
