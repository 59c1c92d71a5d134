/**
 * The local stack: moto (with Step Functions execution on) on a free loopback
 * port, our real handlers in a function host that moto's Lambda invokes are
 * forwarded to, and a Slack stand-in. Everything it starts, it stops — also
 * on Ctrl-C and on failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { memberRoleTemplate, memberTrustPolicy, resolvePlaceholders } from '../iam/member-role';
import { DEFAULT_MEMBER_ROLE_NAME } from '../lib/accounts/member-role';
import { resetDefaultClients } from '../lib/aws/clients';
import { startFunctionHost, type FunctionHost } from './function-host';
import type { FunctionLimits } from './function-limits';
import { readDefinition, resolveDefinition } from './definition';
import { LOCAL_SLACK_APP, LOCAL_SLACK_TEAM } from './slack-click';
import { startSlackStandIn, type SlackStandIn } from './slack-stand-in';
import { tableDefinition } from './tables';

// Node 20 support ends for SDK releases after January 2027 (see the closing notes); the local stack pins its SDK.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'us-east-1';
/** The emulated member account: moto acts in it with credentials AssumeRole returns for its roles. */
export const LOCAL_MEMBER_ACCOUNT = '222222222222';
export const LOCAL_MEMBER_EXTERNAL_ID = 'remediator-local';
const PREFIX = 'remediator-local';

export interface LocalStackOptions {
  /** Seconds Wait For Rescan waits (the rules file says 60; the demo wants a few). */
  rescanWaitSeconds?: number;
  rulesFile?: string;
  log?: (line: string) => void;
  /** The function host's timeouts and concurrency (default: serverless.yml's; the drills shorten one to stop a handler). */
  limits?: FunctionLimits;
}

export interface LocalStack {
  endpoint: string;
  region: string;
  accountId: string;
  stateMachineArn: string;
  remediationRoleArn: string;
  /** The member account and the member role created in it (iam/member-role.yaml's role and permissions). */
  memberAccountId: string;
  memberRoleArn: string;
  auditTable: string;
  approvalsTable: string;
  slack: { apiUrl: string; url: string; signingSecret: string; botToken: string };
  interactionsUrl: string;
  functionHost: FunctionHost;
  slackStandIn: SlackStandIn;
  /** Client settings for the emulator (dummy credentials). */
  clientConfig: { region: string; endpoint: string; forcePathStyle: true; credentials: { accessKeyId: string; secretAccessKey: string } };
  stop(): Promise<void>;
}

export class LocalStackError extends Error {
  override readonly name = 'LocalStackError';
}

export function checkPrerequisites(): void {
  const probe = spawnSync('python3', ['-c', 'import moto, flask, werkzeug; print(moto.__version__)'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new LocalStackError(
      'The local stack needs Python 3 with the moto server: install it with  pip install "moto[server]==5.2.1"  ' +
        `(python3 said: ${(probe.error?.message ?? probe.stderr ?? '').trim().split('\n').pop()})`,
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function startMoto(port: number, functionHostUrl: string): Promise<ChildProcess> {
  const launcher = fileURLToPath(new URL('./moto_launcher.py', import.meta.url));
  const child = spawn('python3', [launcher, '--port', String(port), '--function-host', functionHostUrl], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, MOTO_PORT: String(port), PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new LocalStackError(`moto did not start within 30 s: ${stderr}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('moto ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new LocalStackError(`moto exited with code ${code}: ${stderr}`));
    });
  });
}

/** A zip with one empty file: moto stores the code; the function host runs the real handlers. */
function placeholderZip(): Uint8Array {
  const name = Buffer.from('index.js');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length, 16);
  return Buffer.concat([local, name, central, name, end]);
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  checkPrerequisites();
  const cleanups: (() => Promise<void> | void)[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  let motoProcess: ChildProcess | undefined;
  const onExit = (): void => {
    motoProcess?.kill('SIGKILL');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);

  try {
    const slackStandIn = await startSlackStandIn();
    cleanups.push(() => slackStandIn.close());

    // The handlers read their settings from the environment, as on Lambda. The demo's timeline
    // is the readable view; set POWERTOOLS_LOG_LEVEL=INFO to see the handlers' structured logs.
    process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
    const { TASK_FUNCTIONS, HTTP_FUNCTIONS } = await import('./functions');
    const functions = Object.fromEntries(Object.entries(TASK_FUNCTIONS).map(([key, handler]) => [`${PREFIX}-${key}`, handler]));
    const routes = Object.fromEntries(Object.values(HTTP_FUNCTIONS).flatMap(({ route, handler }) => [route].flat().map((key) => [key, handler])));
    const functionHost = await startFunctionHost({ functions, routes, ...(options.limits ? { limits: options.limits } : {}) });
    cleanups.push(() => functionHost.close());

    const port = await freePort();
    motoProcess = await startMoto(port, functionHost.url);
    const child = motoProcess;
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.stdin?.end();
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 3000).unref();
        }),
    );
    const endpoint = `http://127.0.0.1:${port}`;
    log(`moto server on ${endpoint}, function host on ${functionHost.url}, Slack stand-in on ${slackStandIn.url}`);
    const configured = await fetch(`${endpoint}/moto-api/config`, {
      method: 'POST',
      body: JSON.stringify({ stepfunctions: { execute_state_machine: true }, lambda: { use_docker: false } }),
    });
    if (!configured.ok) throw new LocalStackError(`moto refused its configuration: ${configured.status}`);

    const signingSecret = randomBytes(16).toString('hex');
    const botToken = `xoxb-local-${randomBytes(8).toString('hex')}`;
    const auditTable = `${PREFIX}-audit`;
    const approvalsTable = `${PREFIX}-approvals`;
    const remediationRoleArn = `arn:aws:iam::${LOCAL_ACCOUNT}:role/${PREFIX}-functions`;
    const secretId = `${PREFIX}/slack`;
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      REMEDIATOR_AWS_ENDPOINT: endpoint,
      REMEDIATOR_AUDIT_TABLE: auditTable,
      REMEDIATOR_APPROVALS_TABLE: approvalsTable,
      REMEDIATOR_REMEDIATION_ROLE_ARN: remediationRoleArn,
      REMEDIATOR_ACCOUNT_ID: LOCAL_ACCOUNT,
      REMEDIATOR_MEMBER_ROLE_NAME: DEFAULT_MEMBER_ROLE_NAME,
      REMEDIATOR_MEMBER_EXTERNAL_ID: LOCAL_MEMBER_EXTERNAL_ID,
      // moto has no Access Analyzer: the live re-check answers alone (DESIGN §5).
      REMEDIATOR_RESCAN_SOURCE: 'none',
      REMEDIATOR_SLACK_SECRET_ID: secretId,
      SLACK_API_URL: slackStandIn.apiUrl,
      REMEDIATOR_RESCAN_WAIT_SECONDS: String(options.rescanWaitSeconds ?? 2),
      ...(options.rulesFile ? { REMEDIATOR_RULES_FILE: options.rulesFile } : {}),
    });
    resetDefaultClients(); // the handlers' clients follow this stack's endpoint
    const clientConfig = {
      region: LOCAL_REGION,
      endpoint,
      forcePathStyle: true as const,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };

    const ddb = new DynamoDBClient(clientConfig);
    await ddb.send(new CreateTableCommand(tableDefinition('AuditTable', auditTable)));
    await ddb.send(new CreateTableCommand(tableDefinition('ApprovalsTable', approvalsTable)));
    await new SecretsManagerClient(clientConfig).send(
      new CreateSecretCommand({ Name: secretId, SecretString: JSON.stringify({ botToken, signingSecret, teamId: LOCAL_SLACK_TEAM, appId: LOCAL_SLACK_APP }) }),
    );

    const iam = new IAMClient(clientConfig);
    for (const [name, service] of [
      [`${PREFIX}-functions`, 'lambda.amazonaws.com'],
      [`${PREFIX}-state-machine`, 'states.amazonaws.com'],
    ] as const) {
      await iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
    }

    const memberRoleArn = await createMemberRole(clientConfig, LOCAL_MEMBER_ACCOUNT, `${PREFIX}-functions`);
    log(`member account ${LOCAL_MEMBER_ACCOUNT} with ${memberRoleArn}`);

    const lambda = new LambdaClient(clientConfig);
    const functionArns: Record<string, string> = {};
    for (const key of Object.keys(TASK_FUNCTIONS)) {
      const created = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: `${PREFIX}-${key}`,
          Runtime: 'nodejs20.x',
          Role: remediationRoleArn,
          Handler: `functions/${key}/handler.handler`,
          Code: { ZipFile: placeholderZip() },
        }),
      );
      functionArns[key] = created.FunctionArn ?? '';
    }

    const sfn = new SFNClient(clientConfig);
    const machine = await sfn.send(
      new CreateStateMachineCommand({
        name: `${PREFIX}-remediation`,
        roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${PREFIX}-state-machine`,
        definition: JSON.stringify(resolveDefinition(readDefinition(), functionArns)),
        type: 'STANDARD',
      }),
    );

    return {
      endpoint,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT,
      stateMachineArn: machine.stateMachineArn ?? '',
      remediationRoleArn,
      memberAccountId: LOCAL_MEMBER_ACCOUNT,
      memberRoleArn,
      auditTable,
      approvalsTable,
      slack: { apiUrl: slackStandIn.apiUrl, url: slackStandIn.url, signingSecret, botToken },
      interactionsUrl: `${functionHost.url}/slack/interactions`,
      functionHost,
      slackStandIn,
      clientConfig,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

type EmulatorConfig = LocalStack['clientConfig'];

/**
 * Client settings that act in another emulated account: moto keys every call to the account of the
 * credentials, and its AssumeRole hands out credentials of the role's account (TOOLCHAIN.md). For
 * setting up the member account's resources (and in tests), never for Remediator's own calls.
 */
export async function actInAccount(config: EmulatorConfig, accountId: string, sessionName = 'remediator-local-setup'): Promise<Omit<EmulatorConfig, 'credentials'> & { credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } }> {
  const answer = await new STSClient(config).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/remediator-local-setup`, RoleSessionName: sessionName }));
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new LocalStackError(`the emulator gave no credentials for account ${accountId}`);
  return { ...config, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}) } };
}

/** The member role of iam/member-role.yaml in an emulated member account: its trust policy and its permissions, resolved. */
async function createMemberRole(config: EmulatorConfig, accountId: string, adminRoleName: string): Promise<string> {
  const iam = new IAMClient(await actInAccount(config, accountId));
  const trust = memberTrustPolicy({ partition: 'aws', adminAccountId: LOCAL_ACCOUNT, adminRoleNamePattern: adminRoleName, externalId: LOCAL_MEMBER_EXTERNAL_ID });
  const created = await iam.send(new CreateRoleCommand({ RoleName: DEFAULT_MEMBER_ROLE_NAME, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  const role = memberRoleTemplate().Resources as { MemberRole: { Properties: { Policies: { PolicyName: string; PolicyDocument: unknown }[] } } };
  for (const policy of role.MemberRole.Properties.Policies) {
    const document = resolvePlaceholders(policy.PolicyDocument, { 'AWS::Partition': 'aws', 'AWS::AccountId': accountId });
    await iam.send(new PutRolePolicyCommand({ RoleName: DEFAULT_MEMBER_ROLE_NAME, PolicyName: policy.PolicyName, PolicyDocument: JSON.stringify(document) }));
  }
  return created.Role?.Arn ?? `arn:aws:iam::${accountId}:role/${DEFAULT_MEMBER_ROLE_NAME}`;
}
