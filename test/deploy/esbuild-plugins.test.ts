import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const plugins = require('../../scripts/esbuild-plugins.cjs') as Plugin[] & {
  inlineSchemaKeys: (source: string) => { code: string; rewritten: number };
};

/** Evaluates an ES module's source and returns its exports. */
async function evaluate(source: string): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'remediator-plugin-'));
  const file = join(dir, `module-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

/** A schema value with its lazy members (`() => Shape$`) resolved, to a fixed depth, so two builds can be compared. */
function resolved(value: unknown, depth = 4): unknown {
  if (typeof value === 'function') return depth > 0 ? resolved((value as () => unknown)(), depth - 1) : '[thunk]';
  if (Array.isArray(value)) return value.map((item) => resolved(item, depth));
  if (value && typeof value === 'object') {
    return { prototype: Object.getPrototypeOf(value) === Object.prototype ? 'Object' : String(Object.getPrototypeOf(value)?.constructor?.name), own: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolved(v, depth)])) };
  }
  return value;
}

describe('sdk-schema-keys (scripts/esbuild-plugins.cjs)', () => {
  it('writes a computed key that names a top-level string const as that string, and nothing else', async () => {
    const source = [
      'const _xN = "xmlName";',
      'const _p = "__proto__";',
      'const _d = "first";',
      'const _d = "second";',
      'let _l = "mutable";',
      'export var A$ = [3, "ns", _xN, 0, [_xN], [[0, { [_xN]: `Min`, [_p]: { polluted: true }, [_l]: 1, [_missing]: 2 }]]];',
    ].join('\n');
    const { code, rewritten } = plugins.inlineSchemaKeys(source);
    expect(rewritten).toBe(1);
    expect(code).toContain('{ "xmlName": `Min`');
    // `__proto__` as a literal key would set the prototype; a name declared twice, a `let` and an unknown name stay computed.
    expect(code).toContain('[_p]:');
    expect(code).toContain('[_l]:');
    expect(code).toContain('[_missing]:');
    const safe = [source.split('\n')[0], source.split('\n')[1], 'let _l = "mutable";', 'const _missing = "m";'];
    const before = await evaluate(`${safe.join('\n')}\nexport var A$ = [{ [_xN]: 1, [_p]: { polluted: true } }];`);
    const after = await evaluate(plugins.inlineSchemaKeys(`${safe.join('\n')}\nexport var A$ = [{ [_xN]: 1, [_p]: { polluted: true } }];`).code);
    expect(after.A$).toEqual(before.A$);
    const [object] = after.A$ as [Record<string, unknown>];
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(Object.keys(object)).toEqual(['xmlName', '__proto__']);
  });

  // The share of the bundle left when one shape is imported (EC2 and S3 describe members with computed keys
  // throughout; RDS's and IAM's size is mostly their error classes, which register themselves and stay).
  it.each([
    ['client-ec2', 0.05],
    ['client-s3', 0.5],
    ['client-rds', 0.8],
    ['client-iam', 1.1],
  ] as const)(
    'leaves @aws-sdk/%s describing every shape exactly as before, and lets esbuild drop the ones a bundle does not use',
    async (client, share) => {
      const schemas = require.resolve(`@aws-sdk/${client}`).replace(/dist-cjs[\\/]index\.js$/, 'dist-es/schemas/schemas_0.js');
      const { rewritten } = plugins.inlineSchemaKeys(readFileSync(schemas, 'utf8'));
      expect(rewritten).toBeGreaterThan(100);
      const bundle = async (withPlugin: boolean, contents: string) => {
        const result = await build({
          stdin: { contents, resolveDir: process.cwd(), sourcefile: 'entry.mjs' },
          bundle: true,
          format: 'esm',
          platform: 'node',
          mainFields: ['module', 'main'],
          write: false,
          minify: true,
          logLevel: 'silent',
          plugins: withPlugin ? plugins : [],
          banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
        });
        return result.outputFiles[0]!.text;
      };
      const everything = `export * from ${JSON.stringify(schemas)};`;
      const [plain, inlined] = await Promise.all([bundle(false, everything), bundle(true, everything)]);
      const [before, after] = await Promise.all([evaluate(plain), evaluate(inlined)]);
      const names = Object.keys(before).filter((name) => name.endsWith('$'));
      expect(names.length).toBeGreaterThan(20);
      expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
      for (const name of names) expect(resolved(after[name]), name).toEqual(resolved(before[name]));

      // One shape imported: with the plugin the bundle keeps a part of the file; without it, all of it.
      const one = `export { ${names.find((n) => !/Exception|Fault|Error/.test(n))} } from ${JSON.stringify(schemas)};`;
      const [onePlain, oneInlined] = await Promise.all([bundle(false, one), bundle(true, one)]);
      expect(oneInlined.length).toBeLessThan(onePlain.length * share);
    },
  );
});
