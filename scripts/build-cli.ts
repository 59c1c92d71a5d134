/**
 * `npm run build`: the `remediate` CLI compiled to one ESM file, dist/remediate.mjs,
 * so an installed `remediate` runs on plain Node (no tsx, no npx). Everything it
 * imports is bundled; the local stack's moto launcher is copied beside it, because
 * local/stack.ts finds it next to itself (`new URL('./moto_launcher.py', import.meta.url)`).
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The function bundles' SDK shape trimming (scripts/esbuild-plugins.cjs); not their bundled rules: the CLI reads the rules file it is given. */
const { sdkSchemaKeys } = createRequire(import.meta.url)('./esbuild-plugins.cjs') as { sdkSchemaKeys: Plugin };
const ENTRY = 'bin/remediate.ts';
/** `--outdir <dir>` builds elsewhere (the deploy tests do); dist/ by default. */
const outdirFlag = process.argv.indexOf('--outdir');
const OUT_DIR = outdirFlag >= 0 && process.argv[outdirFlag + 1] ? resolve(process.argv[outdirFlag + 1]!) : join(ROOT, 'dist');
const OUT_FILE = join(OUT_DIR, 'remediate.mjs');

/** The source's own `#!` line runs it through tsx; the built file gets `#!/usr/bin/env node` from the banner instead. */
const dropSourceHashbang: Plugin = {
  name: 'drop-source-hashbang',
  setup(b) {
    b.onLoad({ filter: /bin[\\/]remediate\.ts$/ }, (args) => ({ contents: readFileSync(args.path, 'utf8').replace(/^#!.*\n/, '\n'), loader: 'ts' }));
  },
};

rmSync(OUT_DIR, { recursive: true, force: true });
mkdirSync(OUT_DIR, { recursive: true });
await build({
  absWorkingDir: ROOT,
  entryPoints: [ENTRY],
  outfile: OUT_FILE,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  mainFields: ['module', 'main'],
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [dropSourceHashbang, sdkSchemaKeys],
  logLevel: 'warning',
});
chmodSync(OUT_FILE, 0o755);
copyFileSync(join(ROOT, 'local/moto_launcher.py'), join(OUT_DIR, 'moto_launcher.py'));
console.log(`build: ${OUT_FILE}`);
