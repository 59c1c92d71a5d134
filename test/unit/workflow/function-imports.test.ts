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

/** Every input of the bundle of one entry point: the project's modules by path, node_modules by path. */
async function bundledInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: 'out/bundle.mjs',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

const packagesOf = (inputs: string[]): Set<string> =>
  new Set(inputs.map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1]).filter((name): name is string => Boolean(name)));

/** The npm packages a function bundles, and the Slack client module when it does. */
async function bundledPackages(fn: string): Promise<Set<string>> {
  const inputs = await bundledInputs(`functions/${fn}/handler.ts`);
  const packages = packagesOf(inputs);
  if (inputs.includes(SLACK_CLIENT)) packages.add(SLACK_CLIENT);
  return packages;
}

/**
 * The catalog's own clients (Secrets Manager, DynamoDB, Access Analyzer … are resources that controls change) are
 * legitimately in remediate and verify; classify carries none of them (below).
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

/**
 * Classify Finding chooses a control from the catalog's facts (lib/controls/catalog.ts, select.ts, mapping.ts) and
 * runs none: what only running a control needs is the bundle of the registry (every implementation and the SDK
 * clients they call), less those facts, the helpers with no AWS call, and the one client classify calls itself
 * (DynamoDB: it claims each finding version in the audit table).
 */
const CLASSIFY_SHARES_WITH_CONTROLS = ['lib/controls/catalog.ts', 'lib/controls/select.ts', 'lib/controls/mapping.ts', 'lib/controls/state.ts', 'lib/controls/types.ts'];
const CLASSIFY_OWN_CLIENTS = ['@aws-sdk/client-dynamodb'];

describe('what classify bundles of the corrective controls', () => {
  it('carries no control implementation, neither the registry nor the runner, and no SDK client only controls call', async () => {
    const controls = await bundledInputs('lib/controls/registry.ts');
    const implementation = [...controls.filter((path) => path.startsWith('lib/controls/') && !CLASSIFY_SHARES_WITH_CONTROLS.includes(path)), 'lib/controls/runner.ts'];
    const controlClients = [...packagesOf(controls)].filter((name) => name.startsWith('@aws-sdk/client-') && !CLASSIFY_OWN_CLIENTS.includes(name));
    // What is forbidden is really there to forbid: the implementations and their clients.
    expect(implementation).toEqual(expect.arrayContaining(['lib/controls/registry.ts', 'lib/controls/s3-deny-all-bucket-policy.ts', 'lib/controls/remove-external-statements.ts', 'lib/controls/ec2-isolate-instance.ts']));
    expect(controlClients).toEqual(
      expect.arrayContaining(['@aws-sdk/client-s3', '@aws-sdk/client-ec2', '@aws-sdk/client-rds', '@aws-sdk/client-iam', '@aws-sdk/client-kms', '@aws-sdk/client-lambda', '@aws-sdk/client-accessanalyzer']),
    );

    const classify = await bundledInputs('functions/classify/handler.ts');
    expect(classify.filter((path) => implementation.includes(path))).toEqual([]);
    expect([...packagesOf(classify)].filter((name) => controlClients.includes(name))).toEqual([]);
    expect(classify).toContain('lib/controls/catalog.ts');
  }, 60_000);
});
