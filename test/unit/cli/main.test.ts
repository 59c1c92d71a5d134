/** The command table: every command's --help, usage errors that say what to do next, and exit codes. No AWS call. */
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../cli/errors';
import { COMMANDS, main, type CliIo } from '../../../cli/main';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (text) => void (out += text), stderr: (text) => void (err += text), env };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('remediate --help', () => {
  it('lists every command and the exit codes', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(EXIT.OK);
    for (const command of COMMANDS) expect(out).toContain(`  ${command.synopsis}`);
    expect(out).toMatch(/exit codes: 0 done .* 1 failed .* 2 usage/s);
  });

  it('gives usage on stderr and exit 2 without a command, and names an unknown one', async () => {
    expect(await cli([])).toMatchObject({ code: EXIT.USAGE, out: '' });
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(EXIT.USAGE);
    expect(unknown.err).toContain('unknown command "frobnicate"');
  });

  it.each(COMMANDS.map((command) => [command.name]))('%s --help has its usage, an example and the exit codes', async (name) => {
    const { code, out } = await cli([name, '--help']);
    expect(code).toBe(EXIT.OK);
    expect(out).toMatch(new RegExp(`^usage: remediate ${name}`));
    expect(out).toMatch(/\nexample:\n {2}\S/);
    expect(out).toMatch(/exit codes?/i);
  });
});

describe('usage errors', () => {
  it('say which setting is missing and where to get it, and start nothing', async () => {
    const status = await cli(['status', 'manual-abc']);
    expect(status.code).toBe(EXIT.USAGE);
    expect(status.err).toContain('REMEDIATOR_STATE_MACHINE_ARN is not set: run `remediate local`');
    expect(status.err).toContain('--state-machine-arn');
    const history = await cli(['history', '--resource', 'arn:aws:s3:::b']);
    expect(history.code).toBe(EXIT.USAGE);
    expect(history.err).toContain('REMEDIATOR_AUDIT_TABLE is not set');
  });

  it('refuse contradictory or missing options', async () => {
    expect((await cli(['run', 's3-deny-all-bucket-policy'])).err).toMatch(/UsageError: run needs <control> and --resource <arn>/);
    const both = await cli(['run', 's3-deny-all-bucket-policy', '--resource', 'arn:aws:s3:::b', '--dry-run', '--approve']);
    expect(both).toMatchObject({ code: EXIT.USAGE });
    expect(both.err).toContain('choose one of --dry-run and --approve');
    const follow = await cli(['run', 's3-deny-all-bucket-policy', '--resource', 'arn:aws:s3:::b', '--follow', '--no-follow']);
    expect(follow.err).toContain('choose one of --follow and --no-follow');
    expect((await cli(['history', '--resource', 'my-bucket'], { REMEDIATOR_AUDIT_TABLE: 't' })).err).toContain('is not an ARN');
    expect((await cli(['status', 'not a name!'], { REMEDIATOR_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:r' })).code).toBe(EXIT.USAGE);
    expect((await cli(['run', '--bogus'])).code).toBe(EXIT.USAGE);
  });

  it('name an unknown control with exit 1 before anything starts', async () => {
    const result = await cli(['run', 's3-make-it-so', '--resource', 'arn:aws:s3:::x'], { REMEDIATOR_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:r' });
    expect(result.code).toBe(EXIT.FAILED);
    expect(result.err).toMatch(/ControlNotFoundError/);
  });
});

describe('following a run', () => {
  it('is the default on a terminal only, and either flag overrides it', async () => {
    const { followWanted } = await import('../../../cli/run');
    const io = (isTTY: boolean): CliIo => ({ stdout: () => undefined, stderr: () => undefined, env: {}, isTTY });
    expect(followWanted({}, io(true))).toBe(true);
    expect(followWanted({}, io(false))).toBe(false);
    expect(followWanted({ 'no-follow': true }, io(true))).toBe(false);
    expect(followWanted({ follow: true }, io(false))).toBe(true);
  });
});
