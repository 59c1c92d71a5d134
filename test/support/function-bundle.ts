/**
 * Builds a small entry (source text) exactly as `osls package` builds the
 * functions (serverless.yml custom.esbuild: plugins, alias, target), to check
 * what a deployed function would do with it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions, readServerlessConfig } from '../../bench/function-bundles';

export async function bundleLikeAFunction(entry: string, options: { root?: string; serviceDir?: string } = {}): Promise<{ file: string; inputs: string[] }> {
  const root = options.root ?? process.cwd();
  const file = join(mkdtempSync(join(tmpdir(), 'remediator-function-bundle-')), 'entry.mjs');
  const result = await build({
    ...esbuildOptions(readServerlessConfig(root), root),
    absWorkingDir: options.serviceDir ?? root,
    stdin: { contents: entry, resolveDir: root, sourcefile: 'entry.mjs' },
    outfile: file,
    outExtension: {},
    sourcemap: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { file, inputs: Object.keys(result.metafile.inputs) };
}
