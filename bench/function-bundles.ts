/**
 * Builds each function of serverless.yml the way serverless-esbuild 1.57 does
 * when `osls package` runs (custom.esbuild minus the plugin's own options,
 * `exclude` as externals, one entry per handler, `outExtension` from
 * `outputFileExtension`), with esbuild's metafile to say what each bundle holds.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { parse } from 'yaml';

/** Options serverless-esbuild reads itself and removes before calling esbuild (dist/bundle.js). */
const PLUGIN_OPTIONS = [
  'concurrency', 'zipConcurrency', 'exclude', 'nativeZip', 'packager', 'packagePath', 'watch', 'keepOutputDirectory', 'packagerOptions',
  'installExtraArgs', 'outputFileExtension', 'outputBuildFolder', 'outputWorkFolder', 'nodeExternals', 'skipBuild', 'skipRebuild',
  'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext',
];
/** The extensions serverless-esbuild tries, in order, to turn `path/handler.fn` into an entry file. */
const ENTRY_EXTENSIONS = ['.ts', '.js', '.jsx', '.tsx', '.mjs', '.cjs', '.mts', '.cts'];

export interface FunctionBundle {
  /** The function key in serverless.yml. */
  key: string;
  entry: string;
  /** The bundle, relative to the output directory (as inside the function's zip). */
  bundle: string;
  jsBytes: number;
  mapBytes: number;
  /** Bytes of the bundle each input contributed, grouped by npm package or project folder, largest first. */
  modules: { module: string; bytes: number }[];
  /** Absolute path of the written bundle (for load timing). */
  path: string;
}

interface ServerlessConfig {
  provider: { runtime: string; environment?: Record<string, unknown> };
  custom: { esbuild: Record<string, unknown> & { exclude?: string[]; external?: string[]; outputFileExtension?: string; plugins?: string } };
  functions: Record<string, { handler: string }>;
}

export function readServerlessConfig(root: string): ServerlessConfig {
  return parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'silent' }) as ServerlessConfig;
}

/** `custom.esbuild.plugins` names a CommonJS file that serverless-esbuild require()s from the service directory. */
function pluginsOf(root: string, file: string | undefined): BuildOptions['plugins'] {
  if (!file) return undefined;
  return createRequire(join(root, 'package.json'))(join(root, file)) as BuildOptions['plugins'];
}

export function esbuildOptions(config: ServerlessConfig, root: string): BuildOptions {
  const { plugins, ...custom } = { ...config.custom.esbuild };
  const exclude = custom.exclude ?? ['aws-sdk'];
  const outputFileExtension = custom.outputFileExtension ?? '.js';
  for (const option of PLUGIN_OPTIONS) delete custom[option];
  return {
    ...(custom as BuildOptions),
    external: [...(custom.external ?? []), ...(exclude.includes('*') ? [] : exclude)],
    ...(outputFileExtension === '.js' ? {} : { outExtension: { '.js': outputFileExtension } }),
    ...(plugins ? { plugins: pluginsOf(root, plugins) } : {}),
  };
}

export function entryOf(root: string, handler: string): string {
  const base = handler.slice(0, handler.lastIndexOf('.'));
  const found = ENTRY_EXTENSIONS.map((ext) => `${base}${ext}`).find((file) => existsSync(join(root, file)));
  if (!found) throw new Error(`no entry file for handler ${handler} (tried ${ENTRY_EXTENSIONS.join(', ')})`);
  return found;
}

/** `node_modules/@aws-sdk/client-s3/dist-es/x.js` → `@aws-sdk/client-s3`; `lib/workflow/classify.ts` → `lib/workflow`. */
export function moduleOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at >= 0) {
    const [scopeOrName, name] = input.slice(at + 'node_modules/'.length).split('/');
    return scopeOrName!.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName!;
  }
  return dirname(input);
}

export function modulesOf(metafile: Metafile, output: string): { module: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[output]?.inputs ?? {})) {
    const module = moduleOf(input);
    totals.set(module, (totals.get(module) ?? 0) + bytesInOutput);
  }
  return [...totals].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Builds every function into `outDir/<entry folder>/`, as serverless-esbuild does into `.esbuild/.build/`. */
export async function buildFunctionBundles(root: string, outDir: string): Promise<FunctionBundle[]> {
  const config = readServerlessConfig(root);
  const options = esbuildOptions(config, root);
  const bundles: FunctionBundle[] = [];
  for (const [key, fn] of Object.entries(config.functions)) {
    const entry = entryOf(root, fn.handler);
    const result = await build({ ...options, absWorkingDir: root, entryPoints: [entry], outdir: join(outDir, dirname(entry)), metafile: true, logLevel: 'silent' });
    const output = Object.keys(result.metafile.outputs).find((file) => !file.endsWith('.map'));
    if (!output) throw new Error(`esbuild wrote no bundle for ${key}`);
    const path = join(root, output);
    const bundle = `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}${options.outExtension?.['.js'] ?? '.js'}`;
    bundles.push({
      key,
      entry,
      bundle,
      jsBytes: statSync(path).size,
      mapBytes: existsSync(`${path}.map`) ? statSync(`${path}.map`).size : 0,
      modules: modulesOf(result.metafile, output),
      path,
    });
  }
  return bundles;
}
