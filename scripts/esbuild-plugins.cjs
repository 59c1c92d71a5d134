/**
 * esbuild plugins for the function bundles (serverless.yml `custom.esbuild.plugins`,
 * which serverless-esbuild loads with require(), hence CommonJS). The CLI build
 * uses sdk-schema-keys only.
 *
 * sdk-schema-keys: each AWS SDK v3 client describes its shapes in
 * `dist-es/schemas/schemas_0.js` as plain arrays, one `export var` per shape, so a
 * bundle should keep only the shapes of the commands it imports. It keeps all of
 * them, because the member traits are object literals with computed keys —
 * `{ [_xN]: _m }`, where `_xN` is a top-level `const _xN = "xmlName"` — and esbuild
 * treats a computed key it has not proven to be a primitive as a possible side
 * effect, so no shape can be dropped. For @aws-sdk/client-ec2 that is 546 KiB of
 * minified JavaScript in every function that calls EC2 at all.
 *
 * The plugin writes each such key as the string it names: `{ [_xN]: _m }` becomes
 * `{ "xmlName": _m }`. The object is the same (a computed string key and a literal
 * key define the same own property), with one exception the plugin leaves alone:
 * a literal `"__proto__"` key sets the prototype instead of defining a property.
 * A key whose const it cannot find, or that is not a plain string, stays computed,
 * so a change in the SDK's layout costs bundle size, never behaviour.
 */
'use strict';

const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { readFile } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { dirname, join, resolve } = require('node:path');

const SCHEMA_FILE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
/** A top-level string constant: `const _xN = "xmlName";` (the SDK's generated form). */
const STRING_CONST = /^const (_[A-Za-z0-9_$]*) = ("(?:[^"\\\n]|\\.)*");$/gm;
/** A computed key made of one such identifier: `[_xN]:`. */
const COMPUTED_KEY = /\[(_[A-Za-z0-9_$]*)\]:/g;

/**
 * Rewrites computed keys that name a top-level string const as literal keys.
 * Returns the new source and how many keys it rewrote.
 */
function inlineSchemaKeys(source) {
  const strings = new Map();
  for (const [, name, literal] of source.matchAll(STRING_CONST)) {
    // A name declared twice is not a constant this plugin can reason about.
    if (strings.has(name)) strings.set(name, undefined);
    else strings.set(name, literal);
  }
  let rewritten = 0;
  const code = source.replace(COMPUTED_KEY, (whole, name) => {
    const literal = strings.get(name);
    if (literal === undefined || JSON.parse(literal) === '__proto__') return whole;
    rewritten += 1;
    return `${literal}:`;
  });
  return { code, rewritten };
}

const sdkSchemaKeys = {
  name: 'sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_FILE }, async (args) => {
      const { code } = inlineSchemaKeys(await readFile(args.path, 'utf8'));
      return { contents: code, loader: 'js' };
    });
  },
};

/**
 * bundled-rules: a function bundle carries its rules instead of a YAML parser.
 * In source (tests, the local stack, the CLI) lib/runtime/rules.ts reads and
 * checks the rules file with lib/rules/load.ts. In a bundle the plugin does that
 * once, at package time — a rules file with an error stops `osls package` with
 * the same line-and-field messages as `remediate rules lint` — and puts in place
 * of lib/runtime/rules.ts a module holding the checked data, which
 * lib/rules/bundled.ts validates with the same schema on first use.
 *
 * The rules file is the one serverless.yml gives the functions
 * (provider.environment.REMEDIATOR_RULES_FILE), relative to the service directory.
 */
const RUNTIME_RULES = /[\\/]lib[\\/]runtime[\\/]rules\.ts$/;
const LOADER = resolve(__dirname, '..', 'lib', 'rules', 'load.ts');

function rulesFileOf(serviceDir) {
  const { parse } = require('yaml');
  const config = parse(readFileSync(join(serviceDir, 'serverless.yml'), 'utf8'), { logLevel: 'silent' });
  const file = config?.provider?.environment?.REMEDIATOR_RULES_FILE ?? 'remediator.rules.yaml';
  if (typeof file !== 'string' || file.includes('${')) {
    throw new Error(`serverless.yml provider.environment.REMEDIATOR_RULES_FILE must be a plain path to the rules file (found ${JSON.stringify(file)})`);
  }
  return file;
}

/** lib/rules/load.ts, compiled by esbuild itself for this Node process (it is TypeScript, the plugin file is not). */
async function loadRulesCompiler(esbuild) {
  const { outputFiles } = await esbuild.build({ entryPoints: [LOADER], bundle: true, platform: 'node', format: 'cjs', target: `node${process.versions.node.split('.')[0]}`, write: false, logLevel: 'silent' });
  const dir = mkdtempSync(join(tmpdir(), 'remediator-rules-'));
  try {
    const file = join(dir, 'load.cjs');
    writeFileSync(file, outputFiles[0].text);
    return require(file).compileRules;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bundledRules = {
  name: 'bundled-rules',
  setup(build) {
    const serviceDir = build.initialOptions.absWorkingDir ?? process.cwd();
    let compiled;
    build.onLoad({ filter: RUNTIME_RULES }, async (args) => {
      compiled ??= (async () => {
        const file = rulesFileOf(serviceDir);
        const compileRules = await loadRulesCompiler(build.esbuild);
        const text = await readFile(resolve(serviceDir, file), 'utf8');
        return { file, data: compileRules(text, file), watchFiles: [resolve(serviceDir, file), join(serviceDir, 'serverless.yml')] };
      })();
      let bundle;
      try {
        bundle = await compiled;
      } catch (error) {
        compiled = undefined;
        return { errors: [{ text: `the rules cannot be bundled: ${error instanceof Error ? error.message : String(error)}` }] };
      }
      const contents = [
        "import { bundledRules } from '../rules/bundled';",
        `const BUNDLE = ${JSON.stringify({ file: bundle.file, data: bundle.data })};`,
        'let checked;',
        `/** The rules in force: ${bundle.file}, checked and embedded at package time (scripts/esbuild-plugins.cjs). */`,
        'export function rules() { return (checked ??= bundledRules(BUNDLE)); }',
        '',
      ].join('\n');
      return { contents, loader: 'ts', resolveDir: dirname(args.path), watchFiles: bundle.watchFiles };
    });
  },
};

module.exports = [sdkSchemaKeys, bundledRules];
module.exports.sdkSchemaKeys = sdkSchemaKeys;
module.exports.bundledRules = bundledRules;
module.exports.inlineSchemaKeys = inlineSchemaKeys;
