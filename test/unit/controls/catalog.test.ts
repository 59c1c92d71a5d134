/**
 * The catalog states each control's facts once; the registry joins them to the implementations.
 * Choosing a control (triage) needs the catalog alone: no implementation, no AWS SDK client.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CONTROL_CATALOG, allControlPermissions, getControlFacts } from '../../../lib/controls/catalog';
import { CONTROLS, IMPLEMENTATIONS, getControl } from '../../../lib/controls/registry';

describe('the control catalog', () => {
  it('has unique ids', () => {
    const ids = CONTROL_CATALOG.map((facts) => facts.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names an unknown control in a ControlNotFoundError that lists the known ones', () => {
    expect(() => getControlFacts('s3-make-it-so')).toThrow(
      expect.objectContaining({ name: 'ControlNotFoundError', message: expect.stringMatching(/"s3-make-it-so".*s3-deny-all-bucket-policy/) }),
    );
  });

  it('lists every IAM action of every control once, sorted', () => {
    const all = allControlPermissions();
    expect(all).toEqual([...all].sort());
    expect(new Set(all).size).toBe(all.length);
    for (const facts of CONTROL_CATALOG) expect(all, facts.id).toEqual(expect.arrayContaining([...facts.permissions]));
    expect(all).toContain('access-analyzer:CheckNoPublicAccess');
  });
});

describe('the registry', () => {
  it('holds one implementation per catalog entry, in the catalog order', () => {
    expect(CONTROLS.map((control) => control.id)).toEqual(CONTROL_CATALOG.map((facts) => facts.id));
    expect(Object.keys(IMPLEMENTATIONS).sort()).toEqual(CONTROL_CATALOG.map((facts) => facts.id).sort());
  });

  it.each(CONTROL_CATALOG.map((facts) => [facts.id, facts] as const))('%s takes its facts from its catalog entry, not a copy', (id, facts) => {
    const control = getControl(id);
    expect(control.id).toBe(id);
    expect(control.description).toBe(facts.description);
    expect(control.handles).toBe(facts.handles);
    expect(control.permissions).toBe(facts.permissions);
  });
});

describe('choosing a control', () => {
  it('bundles the catalog, the mapping and the selection without any implementation or AWS SDK client', async () => {
    const result = await build({
      entryPoints: ['lib/controls/select.ts'],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      outfile: 'out/select.mjs',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('lib/controls/catalog.ts');
    expect(inputs.filter((path) => path.includes('node_modules/@aws-sdk/') || path.includes('node_modules/@smithy/'))).toEqual([]);
    const controlModules = inputs.filter((path) => path.startsWith('lib/controls/')).sort();
    expect(controlModules).toEqual(['lib/controls/catalog.ts', 'lib/controls/mapping.ts', 'lib/controls/select.ts']);
  }, 60_000);
});
