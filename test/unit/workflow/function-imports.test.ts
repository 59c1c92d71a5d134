/**
 * Each function bundles only what its states call (esbuild's own view of the
 * bundle, as serverless-esbuild builds it): Classify never carries Slack, Check
 * Resolution neither Slack nor Step Functions.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { TASK_FUNCTION_KEYS } from '../../../lib/workflow/tasks';

/** The Slack Web API client (on fetch): only the functions that post to Slack bundle it. */
const SLACK_CLIENT = 'lib/escalation/slack-api.ts';

async function bundledPackages(fn: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [`functions/${fn}/handler.ts`],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: `out/${fn}.mjs`,
    logLevel: 'silent',
  });
  const packages = Object.keys(result.metafile.inputs)
    .map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? (path === SLACK_CLIENT ? path : undefined))
    .filter((name): name is string => Boolean(name));
  return new Set(packages);
}

/**
 * The catalog's own clients (Secrets Manager, DynamoDB, Access Analyzer … are resources that controls change) are
 * legitimately in remediate and verify; classify still carries them through the registry (see the closing note).
 */
const FORBIDDEN: Record<(typeof TASK_FUNCTION_KEYS)[number], string[]> = {
  classify: [SLACK_CLIENT, '@aws-sdk/client-sfn'],
  verify: [SLACK_CLIENT, '@aws-sdk/client-sfn'],
  remediate: [SLACK_CLIENT, '@aws-sdk/client-sfn'],
  escalate: [],
  notify: ['@aws-sdk/client-sfn', '@aws-sdk/client-accessanalyzer'],
};

describe('what each function bundles', () => {
  it.each(TASK_FUNCTION_KEYS)('%s carries nothing its states do not call', async (fn) => {
    const packages = await bundledPackages(fn);
    expect(packages.has('@middy/core')).toBe(true);
    for (const name of FORBIDDEN[fn]) expect(packages.has(name), `${fn} bundles ${name}`).toBe(false);
  }, 60_000);
});
