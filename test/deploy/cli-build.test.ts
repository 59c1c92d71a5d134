/** `npm run build`: the CLI compiled to one file that plain Node runs, with no tsx and no npx. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

let outDir: string;
let built: string;

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'remediator-cli-'));
  execFileSync('npx', ['--no', 'tsx', 'scripts/build-cli.ts', '--outdir', outDir], { stdio: 'pipe', timeout: 240_000 });
  built = join(outDir, 'remediate.mjs');
}, 240_000);

/** Runs the built CLI as an installed bin would: plain node, from another directory, with no tsx on the PATH. */
const remediate = (...args: string[]) =>
  spawnSync(process.execPath, [built, ...args], { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000, env: { PATH: '/usr/bin:/bin', HOME: tmpdir(), AWS_REGION: 'us-east-1' } });

describe('npm run build', () => {
  it('is what package.json installs as the remediate bin', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.bin.remediate).toBe('./dist/remediate.mjs');
    expect(pkg.scripts.build).toContain('scripts/build-cli.ts');
  });

  it('writes an executable ESM file that starts with a plain node shebang and imports no TypeScript', () => {
    const code = readFileSync(built, 'utf8');
    expect(code.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(built).mode & 0o111).not.toBe(0);
    expect(code).not.toMatch(/\bfrom\s*["'][^"']+\.ts["']/);
    expect(code).not.toMatch(/\btsx\b/);
  });

  it('lists the corrective controls with plain node', () => {
    const run = remediate('controls');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('s3-deny-all-bucket-policy');
  });

  it('prints its usage with plain node', () => {
    const run = remediate('--help');
    expect(run.status).toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(/usage: remediate/);
  });

  it('prints a command’s --help with an example and the exit codes with plain node', () => {
    const run = remediate('run', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: remediate run /);
    expect(run.stdout).toMatch(/\nexample:\n {2}remediate run /);
    expect(run.stdout).toMatch(/exit codes: 0 done/);
  });

  it('says which setting is missing and where to get it, with exit 2, before any AWS call', () => {
    const run = remediate('status', 'manual-abc');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('REMEDIATOR_STATE_MACHINE_ARN is not set: run `remediate local`');
  });

  it('ships the local stack’s moto launcher beside itself, where local/stack.ts looks for it', () => {
    expect(readFileSync(join(outDir, 'moto_launcher.py'), 'utf8')).toBe(readFileSync('local/moto_launcher.py', 'utf8'));
  });
});
