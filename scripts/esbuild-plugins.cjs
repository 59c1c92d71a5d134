/**
 * esbuild plugins for the function bundles (serverless.yml `custom.esbuild.plugins`,
 * which serverless-esbuild loads with require(), hence CommonJS) and the CLI build.
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

const { readFile } = require('node:fs/promises');

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

module.exports = [sdkSchemaKeys];
module.exports.sdkSchemaKeys = sdkSchemaKeys;
module.exports.inlineSchemaKeys = inlineSchemaKeys;
