/**
 * `remediate analyze`: arguments, output and exit codes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAnalyzeCommand } from '../../../lib/policy/cli';

const dir = mkdtempSync(join(tmpdir(), 'policy-cli-'));
const file = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) }, out, err };
};
const PUBLIC = { Version: '2012-10-17', Statement: [{ Sid: 'Pub', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] };

describe('remediate analyze', () => {
  it('prints a readable verdict and exits 0', async () => {
    const c = capture();
    const code = await runAnalyzeCommand([file('public.json', PUBLIC), '--account', '111122223333'], c.io);
    expect(code).toBe(0);
    expect(c.out.join('')).toContain('PUBLIC');
  });

  it('prints the analysis as JSON with --json', async () => {
    const c = capture();
    await runAnalyzeCommand([file('public2.json', PUBLIC), '--account', '111122223333', '--json'], c.io);
    expect(JSON.parse(c.out.join(''))).toMatchObject({ exposed: true, isPublic: true, externalAccounts: [] });
  });

  it('exits 1 on an exposed policy only with --fail-on-exposed', async () => {
    expect(await runAnalyzeCommand([file('public3.json', PUBLIC), '--account', '111122223333', '--fail-on-exposed'], capture().io)).toBe(1);
  });

  it('reads the output of aws s3api get-bucket-policy', async () => {
    const c = capture();
    await runAnalyzeCommand([file('wrapped.json', { Policy: JSON.stringify(PUBLIC) }), '--account', '111122223333', '--json'], c.io);
    expect(JSON.parse(c.out.join('')).isPublic).toBe(true);
  });

  it('takes an organization zone', async () => {
    const c = capture();
    const policy = { Statement: [{ Effect: 'Allow', Principal: { AWS: '222233334444' }, Action: 's3:*', Resource: '*' }] };
    await runAnalyzeCommand([file('org.json', policy), '--account', '111122223333', '--org', 'o-a1b2c3d4e5', '--org-accounts', '111122223333,222233334444', '--json'], c.io);
    expect(JSON.parse(c.out.join('')).exposed).toBe(false);
  });

  it('prints the minimal fix with --fix', async () => {
    const c = capture();
    await runAnalyzeCommand([file('fix.json', PUBLIC), '--account', '111122223333', '--fix'], c.io);
    expect(c.out.join('')).toContain('aws:PrincipalAccount');
  });

  it('gives a verdict on a policy IAM would reject, with a lint note', async () => {
    const c = capture();
    const code = await runAnalyzeCommand([file('odd.json', { Statement: [{ Effect: 'allow', Principal: '*', Action: 's3:*' }] }), '--account', '111122223333'], c.io);
    expect(code).toBe(0);
    expect(c.out.join('')).toContain('PUBLIC');
    expect(c.out.join('')).toContain('lint: Statement[0].Effect');
  });

  it('exits 2 with the location in --strict mode', async () => {
    const c = capture();
    const code = await runAnalyzeCommand([file('bad.json', { Statement: [{ Effect: 'allow', Principal: '*', Action: 's3:*' }] }), '--account', '111122223333', '--strict'], c.io);
    expect(code).toBe(2);
    expect(c.err.join('')).toContain('Statement[0].Effect');
  });

  it('exits 2 when the file is not JSON', async () => {
    expect(await runAnalyzeCommand([file('text.json', '{"Statement": ['), '--account', '111122223333'], capture().io)).toBe(2);
  });

  it('shows a service risk in the output and fixes it only with --fix-service-risks', async () => {
    const trail = { Statement: [{ Sid: 'Trail', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' }] };
    const plain = capture();
    await runAnalyzeCommand([file('trail.json', trail), '--account', '111122223333', '--json', '--fix'], plain.io);
    const out = JSON.parse(plain.out.join(''));
    expect(out).toMatchObject({ exposed: false, statements: [{ verdict: 'service-risk' }], minimalFix: { changes: [] } });
    const fixing = capture();
    await runAnalyzeCommand([file('trail2.json', trail), '--account', '111122223333', '--json', '--fix', '--fix-service-risks'], fixing.io);
    expect(JSON.parse(fixing.out.join('')).minimalFix.changes[0]).toContain('aws:SourceAccount');
  });

  it.each([
    [['--account', '111122223333']],
    [['p.json']],
    [['p.json', '--account', '12']],
    [['p.json', '--account', '111122223333', '--type', 'dynamo']],
    [['p.json', '--account', '111122223333', '--bogus']],
  ])('exits 2 on a usage error (%j)', async (argv) => {
    expect(await runAnalyzeCommand(argv, capture().io)).toBe(2);
  });

  it('exits 2 when the file cannot be read', async () => {
    expect(await runAnalyzeCommand([join(dir, 'missing.json'), '--account', '111122223333'], capture().io)).toBe(2);
  });
});
