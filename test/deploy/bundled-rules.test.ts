/**
 * The function bundles carry their rules (scripts/esbuild-plugins.cjs bundled-rules):
 * checked at package time by lib/rules/load.ts, embedded as data, validated again by
 * lib/rules/bundled.ts. What a deployed function decides with must be exactly what
 * the source decides with for the same file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../lib/rules/load';
import { bundleLikeAFunction } from '../support/function-bundle';

const ROOT = process.cwd();
const RUNTIME_RULES = join(ROOT, 'lib/runtime/rules.ts');
const ENTRY = `
import { rules } from ${JSON.stringify(RUNTIME_RULES)};
try {
  console.log(JSON.stringify({ rules: rules() }));
} catch (error) {
  console.log(JSON.stringify({ error: error.name, message: error.message }));
}
`;

const bundle = (serviceDir: string) => bundleLikeAFunction(ENTRY, { serviceDir });

function run(file: string, env: Record<string, string>): { rules?: unknown; error?: string; message?: string } {
  const child = spawnSync(process.execPath, [file], { cwd: mkdtempSync(join(tmpdir(), 'remediator-cwd-')), env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

describe('rules bundled into the functions', () => {
  it('decide with exactly the rules the source reads from the same file, without a YAML parser and without the file', async () => {
    const { file, inputs } = await bundle(ROOT);
    expect(inputs.filter((input) => input.includes('node_modules/yaml/'))).toEqual([]);
    expect(inputs.filter((input) => input.endsWith('lib/rules/load.ts') || input.endsWith('lib/rules/lint.ts'))).toEqual([]);
    // The bundle runs in a directory without the rules file: they are inside it.
    const outcome = run(file, { REMEDIATOR_RULES_FILE: 'remediator.rules.yaml' });
    expect(outcome.error, outcome.message).toBeUndefined();
    expect(outcome.rules).toEqual(JSON.parse(JSON.stringify(loadRules(join(ROOT, 'remediator.rules.yaml')))));
  });

  it('refuse to run when REMEDIATOR_RULES_FILE names another file than the one packaged', async () => {
    const { file } = await bundle(ROOT);
    const outcome = run(file, { REMEDIATOR_RULES_FILE: 'other.rules.yaml' });
    expect(outcome.error).toBe('InvalidRulesError');
    expect(outcome.message).toMatch(/names other\.rules\.yaml, but this function was packaged with the rules of remediator\.rules\.yaml/);
  });

  it('stop the package when the rules file has an error, with the line and field `remediate rules lint` names', async () => {
    const service = mkdtempSync(join(tmpdir(), 'remediator-service-'));
    writeFileSync(join(service, 'serverless.yml'), readFileSync(join(ROOT, 'serverless.yml'), 'utf8').replace('REMEDIATOR_RULES_FILE: remediator.rules.yaml', 'REMEDIATOR_RULES_FILE: team.rules.yaml'));
    const good = readFileSync(join(ROOT, 'remediator.rules.yaml'), 'utf8');
    writeFileSync(join(service, 'team.rules.yaml'), `${good}\nnotAField: true\n`);
    const failure = await bundle(service).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/the rules cannot be bundled: team\.rules\.yaml: line:\d+:\d+: error: notAField/);

    // The same service directory with a good file bundles that file's rules (not the repository's).
    writeFileSync(join(service, 'team.rules.yaml'), good.replace(/^homeRegion: .*$/m, 'homeRegion: eu-west-1'));
    const { file } = await bundle(service);
    const outcome = run(file, { REMEDIATOR_RULES_FILE: 'team.rules.yaml' });
    expect((outcome.rules as { homeRegion: string }).homeRegion).toBe('eu-west-1');
  });
});
