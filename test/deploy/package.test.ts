/**
 * `osls package` (the maintained Serverless Framework v3 fork), offline, and
 * assertions on the CloudFormation it writes: what is deployed is what runs
 * locally, on a supported runtime, and Remediator grants itself no more than it needs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFunctionBundles } from '../../bench/function-bundles';
import { deployablePatterns } from '../../eventbridge/generate';
import { controlPermissionsDocument } from '../../iam/permissions';
import { allControlPermissions } from '../../lib/controls/catalog';
import { SOURCE_VERIFY_PERMISSIONS } from '../../lib/verify/source';
import { readDefinition } from '../../local/definition';
import { HTTP_FUNCTIONS, TASK_FUNCTIONS } from '../../local/functions';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };
let resources: Record<string, Resource>;
let packageDir: string;

beforeAll(() => {
  packageDir = mkdtempSync(join(tmpdir(), 'remediator-package-'));
  execFileSync('npx', ['--no', 'osls', 'package', '--stage', 'ci', '--region', 'us-east-1', '--package', packageDir], {
    stdio: 'pipe',
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'dummy', AWS_SECRET_ACCESS_KEY: 'dummy', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    timeout: 300_000,
  });
  resources = JSON.parse(readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources;
}, 300_000);

const ofType = (type: string): [string, Resource][] => Object.entries(resources).filter(([, r]) => r.Type === type);

function statements(): { role: string; Effect: string; Action: string | string[]; Resource?: unknown }[] {
  return ofType('AWS::IAM::Role').flatMap(([role, r]) =>
    ((r.Properties.Policies ?? []) as { PolicyDocument: { Statement: { Effect: string; Action: string | string[] }[] } }[]).flatMap((p) =>
      p.PolicyDocument.Statement.map((s) => ({ role, ...s })),
    ),
  );
}

/** A function's zip, extracted once: its file listing, or one member's text. */
const extractedZips = new Map<string, string>();
function unzip(zip: string, member?: string): string {
  let dir = extractedZips.get(zip);
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'remediator-zip-'));
    execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', join(packageDir, zip), dir]);
    extractedZips.set(zip, dir);
  }
  if (member) return readFileSync(join(dir, member), 'utf8');
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .join('\n');
}

/** The runtimes AWS Lambda supports for Node.js (standard support) as of 2026-12: nodejs22.x until April 2027, nodejs24.x until April 2028. */
const SUPPORTED_NODE_RUNTIMES = ['nodejs22.x', 'nodejs24.x'];

describe('serverless package', () => {
  it('deploys the very ASL file the local stack runs', () => {
    const [[, machine]] = ofType('AWS::StepFunctions::StateMachine') as [[string, Resource]];
    const sub = (machine.Properties.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] })['Fn::Sub'];
    const deployed = JSON.parse(sub[0]) as { States: Record<string, { Parameters?: { FunctionName?: string } }> };
    const local = readDefinition() as { States: Record<string, unknown> };
    expect(Object.keys(deployed.States)).toEqual(Object.keys(local.States));
    // Only the function references differ: they become ${…} substitutions of Fn::GetAtt.
    const normalise = (text: string) => text.replace(/"\$\{[^}]+\}"/g, '"FN"').replace(/\{"Fn::GetAtt":\["\w+","Arn"\]\}/g, '"FN"');
    expect(normalise(JSON.stringify(deployed))).toBe(normalise(JSON.stringify(readDefinition())));
    expect(Object.values(sub[1])).toEqual(expect.arrayContaining([{ 'Fn::GetAtt': ['ClassifyLambdaFunction', 'Arn'] }]));
  });

  it('delivers every source to the state machine with one EventBridge rule each, exactly as eventbridge/patterns.ts says', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    const [[machineId]] = ofType('AWS::StepFunctions::StateMachine') as [[string, Resource]];
    const expected = Object.values(deployablePatterns() as Record<string, { pattern: unknown }>).map((rule) =>
      JSON.parse(JSON.stringify(rule.pattern).replaceAll('${param:homeRegion}', 'us-east-1')),
    );
    expect(rules.map((r) => r.EventPattern)).toEqual(expected);
    for (const rule of rules) expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { Ref: machineId } })]);
    expect(JSON.stringify(rules)).toContain('aws.access-analyzer');
  });

  it('keeps eventbridge/patterns.json in step with eventbridge/patterns.ts', () => {
    expect(JSON.parse(readFileSync('eventbridge/patterns.json', 'utf8'))).toEqual(deployablePatterns());
  });

  it('defines every function the local stack hosts, and no other', () => {
    const functions = ofType('AWS::Lambda::Function').map(([id]) => id.replace(/LambdaFunction$/, ''));
    const expected = [...Object.keys(TASK_FUNCTIONS), ...Object.keys(HTTP_FUNCTIONS)].map((k) => k[0]!.toUpperCase() + k.slice(1));
    expect(functions.sort()).toEqual(expected.sort());
  });

  it('grants no wildcard action and no admin-style resource on write actions', () => {
    const all = statements();
    expect(all.length).toBeGreaterThan(5);
    for (const statement of all) {
      const actions = ([] as string[]).concat(statement.Action);
      for (const action of actions) {
        expect(action, `${statement.role}: ${action}`).not.toBe('*');
        expect(action, `${statement.role}: ${action}`).not.toMatch(/^[\w-]+:\*$/);
      }
    }
    expect(JSON.stringify(resources)).not.toMatch(/"Action":\s*"\*"/);
  });

  it('grants the workflow role exactly the permissions the registered controls declare', () => {
    // The workflow role has its own dynamodb/secretsmanager/… grants (audit tables, Slack secret; sts: the member role, test/deploy/member-role.test.ts; Security Hub write-back; Organizations for the org zone): compare the rest exactly, and require every control action.
    const ownServices = /^(logs|dynamodb|secretsmanager|access-analyzer|states|sts|securityhub|organizations|tag):/;
    const all = statements()
      .filter((s) => s.role === 'WorkflowRole')
      .flatMap((s) => ([] as string[]).concat(s.Action));
    // Check Resolution's questions to Config and GuardDuty (lib/verify/source.ts) are granted beside the controls'.
    const expected = [...new Set([...allControlPermissions(), ...SOURCE_VERIFY_PERMISSIONS])].sort();
    expect(all.filter((a) => !ownServices.test(a)).sort()).toEqual(expected.filter((a) => !ownServices.test(a)));
    expect(all).toEqual(expect.arrayContaining(allControlPermissions()));
  });

  it('lets the notify function write outcomes back to Security Hub, and read the organization for its zone of trust', () => {
    const workflow = statements().filter((s) => s.role === 'WorkflowRole');
    const granting = (action: string) => workflow.filter((s) => ([] as string[]).concat(s.Action).includes(action));
    expect(granting('securityhub:BatchUpdateFindings')).toHaveLength(1);
    expect(JSON.stringify(granting('securityhub:BatchUpdateFindings')[0]!.Resource)).toContain(':hub/default');
    expect(granting('organizations:ListAccounts')).toHaveLength(1);
    // Exceptions by tag: the one read Classify Finding makes, and nothing that writes tags.
    expect(granting('tag:GetResources')).toHaveLength(1);
    expect(workflow.flatMap((s) => ([] as string[]).concat(s.Action)).filter((a) => a.startsWith('tag:'))).toEqual(['tag:GetResources']);
    const notify = resources.NotifyLambdaFunction as unknown as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    expect(notify.Properties.Environment.Variables.REMEDIATOR_SECURITY_HUB_WRITEBACK).toBe('true');
  });

  it('keeps iam/control-permissions.json in step with the control registry', () => {
    const file = JSON.parse(readFileSync('iam/control-permissions.json', 'utf8'));
    expect(file).toEqual(controlPermissionsDocument());
  });

  it('lets only the Slack endpoint approve, and the workflow only end a waiting task; the Slack endpoint cannot touch resources', () => {
    const byAction = (prefix: string) => new Set(statements().filter((s) => ([] as string[]).concat(s.Action).some((a) => a.startsWith(prefix))).map((s) => s.role));
    expect(byAction('states:SendTaskSuccess')).toEqual(new Set(['SlackInteractionRole']));
    expect(byAction('states:SendTaskFailure')).toEqual(new Set(['SlackInteractionRole', 'WorkflowRole']));
    const slackActions = statements().filter((s) => s.role === 'SlackInteractionRole').flatMap((s) => ([] as string[]).concat(s.Action));
    expect(slackActions.filter((a) => a.startsWith('s3:') || a.startsWith('kms:'))).toEqual([]);
  });

  it('packages each function as its bundle and map alone: the rules are inside the bundle, with no YAML parser', () => {
    const config = parse(readFileSync('serverless.yml', 'utf8'), { logLevel: 'silent' }) as { functions: Record<string, { handler: string }> };
    for (const [key, fn] of Object.entries(config.functions)) {
      const bundle = `${fn.handler.replace(/\.[^.]+$/, '')}.mjs`;
      expect(unzip(`${key}.zip`).split('\n').filter(Boolean).sort(), key).toEqual([bundle, `${bundle}.map`]);
      const map = JSON.parse(unzip(`${key}.zip`, `${bundle}.map`)) as { sources: string[] };
      expect(map.sources.filter((source) => source.includes('node_modules/yaml/')), key).toEqual([]);
    }
    const classify = unzip('classify.zip', 'functions/classify/handler.mjs');
    // (a boolean, so that a failure does not print the whole bundle)
    expect(/file:"remediator\.rules\.yaml",data:\{version:1,/.test(classify)).toBe(true);
  });

  it('deploys every function on the runtime serverless.yml names, a supported Node.js runtime, with esbuild targeting that very Node', () => {
    const config = parse(readFileSync('serverless.yml', 'utf8'), { logLevel: 'silent' }) as { provider: { runtime: string }; custom: { esbuild: { target: string } } };
    expect(SUPPORTED_NODE_RUNTIMES).toContain(config.provider.runtime);
    expect(config.custom.esbuild.target).toBe(config.provider.runtime.replace(/^nodejs(\d+)\.x$/, 'node$1'));
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(Object.keys(TASK_FUNCTIONS).length + Object.keys(HTTP_FUNCTIONS).length);
    for (const [id, fn] of functions) expect(fn.Properties.Runtime, id).toBe(config.provider.runtime);
    // Lambda functions the framework adds for itself (custom resources) must not bring back an old runtime either.
    const runtimes = [...JSON.stringify(resources).matchAll(/"Runtime":"([^"]+)"/g)].map((m) => m[1]);
    for (const runtime of runtimes) expect(SUPPORTED_NODE_RUNTIMES).toContain(runtime);
  });

  it('ships each function minified, with its source map as a separate file next to it, and without Slack Bolt', () => {
    const config = parse(readFileSync('serverless.yml', 'utf8'), { logLevel: 'silent' }) as { functions: Record<string, { handler: string }> };
    for (const [key, fn] of Object.entries(config.functions)) {
      const bundle = `${fn.handler.replace(/\.[^.]+$/, '')}.mjs`;
      expect(unzip(`${key}.zip`).split('\n'), key).toEqual(expect.arrayContaining([bundle, `${bundle}.map`]));
      const code = unzip(`${key}.zip`, bundle);
      expect(code, key).not.toContain('sourceMappingURL=data:');
      expect(code.trimEnd(), key).toMatch(new RegExp(`//# sourceMappingURL=${bundle.split('/').pop()!.replaceAll('.', '\\.')}\\.map$`));
      // Minified: few, long lines (unminified esbuild output averages well under 100 characters a line).
      expect(code.length / code.split('\n').length, key).toBeGreaterThan(1000);
      const map = JSON.parse(unzip(`${key}.zip`, `${bundle}.map`)) as { sources: string[] };
      expect(map.sources.length, key).toBeGreaterThan(0);
      // The Slack signature is checked with node:crypto (lib/escalation/slack-signature.ts), not Bolt.
      expect(map.sources.filter((source) => source.includes('@slack/bolt')), key).toEqual([]);
    }
  });

  it('builds in `npm run bench:bundles` exactly the bundles it deploys', async () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const bundles = await buildFunctionBundles(process.cwd(), mkdtempSync(join(tmpdir(), 'remediator-bench-bundles-')));
    expect(bundles.map((b) => b.key).sort()).toEqual(ofType('AWS::Lambda::Function').map(([id]) => id.replace(/LambdaFunction$/, '')).map((k) => k[0]!.toLowerCase() + k.slice(1)).sort());
    for (const bundle of bundles) {
      expect(sha(readFileSync(bundle.path, 'utf8')), bundle.key).toBe(sha(unzip(`${bundle.key}.zip`, bundle.bundle)));
    }
  });
});
