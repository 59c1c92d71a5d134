/**
 * The local function host runs an invocation as Lambda does: within its function's timeout, counted from
 * the start of its handler, and at most `concurrency` at once per function. An invocation that runs past
 * its timeout is answered `Sandbox.Timedout`, and the state machine's standard retry runs it again: the
 * execution ends once, with the retry's result. A moto server and a function host of this file's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunctionHost, type FunctionHost, type LambdaHandler } from '../../local/function-host';
import { STANDARD_RETRY } from '../../statemachines/definition';

const ACCOUNT = '123456789012';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A handler whose invocations the test holds open until it lets them go. */
function gatedHandler() {
  const calls: { attempt: number; release: () => void; finished: Promise<void> }[] = [];
  const order: string[] = [];
  const handler: LambdaHandler = async (event: { hold?: boolean }) => {
    const attempt = calls.length + 1;
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let finish = (): void => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    calls.push({ attempt, release, finished });
    order.push(`start ${attempt}`);
    if (event.hold !== false || attempt === 1) await gate;
    order.push(`end ${attempt}`);
    finish();
    return { attempt };
  };
  return { handler, calls, order };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startMoto(functionHostUrl: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort();
  const launcher = fileURLToPath(new URL('../../local/moto_launcher.py', import.meta.url));
  const child = spawn('python3', [launcher, '--port', String(port), '--function-host', functionHostUrl], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, MOTO_PORT: String(port), PYTHONUNBUFFERED: '1' },
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('moto ready') && resolve());
    child.on('exit', (code) => reject(new Error(`moto exited with ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await fetch(`${endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ stepfunctions: { execute_state_machine: true }, lambda: { use_docker: false } }) });
  return { endpoint, child };
}

describe('the local function host', () => {
  const slow = gatedHandler();
  const queued = gatedHandler();
  let host: FunctionHost;
  let moto: { endpoint: string; child: ChildProcess };
  let sfn: SFNClient;
  let stateMachineArn: string;

  beforeAll(async () => {
    host = await startFunctionHost({
      functions: { 'slow-first-attempt': slow.handler, 'one-at-a-time': queued.handler },
      limits: { concurrency: 1, timeoutSeconds: (name) => (name === 'slow-first-attempt' ? 1 : 60) },
    });
    moto = await startMoto(host.url);
    const config = { region: 'us-east-1', endpoint: moto.endpoint, credentials };
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/function-host-test`;
    await new IAMClient(config).send(new CreateRoleCommand({ RoleName: 'function-host-test', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
    const zip = Buffer.from('UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', 'base64'); // an empty zip: the host runs the handler
    const fn = await new LambdaClient(config).send(
      new CreateFunctionCommand({ FunctionName: 'slow-first-attempt', Runtime: 'nodejs20.x', Role: roleArn, Handler: 'index.handler', Code: { ZipFile: zip } }),
    );
    sfn = new SFNClient(config);
    // One Lambda Task, invoked and retried exactly as the state machine's tasks are.
    const definition = {
      StartAt: 'Run Task',
      States: {
        'Run Task': {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: fn.FunctionArn, 'Payload.$': '$' },
          OutputPath: '$.Payload',
          Retry: STANDARD_RETRY,
          End: true,
        },
      },
    };
    const machine = await sfn.send(new CreateStateMachineCommand({ name: 'function-host-test', roleArn, definition: JSON.stringify(definition), type: 'STANDARD' }));
    stateMachineArn = machine.stateMachineArn!;
  }, 60_000);

  afterAll(async () => {
    for (const call of [...slow.calls, ...queued.calls]) call.release();
    moto?.child.stdin?.end();
    moto?.child.kill('SIGTERM');
    await host?.close();
  });

  it('answers an invocation that runs past its timeout as Lambda does, and the standard retry runs it again: the execution ends once', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'slow-first-attempt', input: JSON.stringify({ hold: false }) }));
    let status = 'RUNNING';
    let described;
    while (status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 200));
      described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      status = described.status ?? 'RUNNING';
    }
    // The first attempt is still held: its answer was the timeout, and the retry's result is the output.
    expect(status).toBe('SUCCEEDED');
    expect(JSON.parse(described?.output ?? 'null')).toEqual({ attempt: 2 });
    const events: HistoryEvent[] = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
    expect(events.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails?.error)).toEqual(['Sandbox.Timedout']);
    expect(events.filter((e) => e.type === 'TaskSucceeded')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'ExecutionSucceeded')).toHaveLength(1);
    expect(host.invocations.filter((i) => i.functionName === 'slow-first-attempt').map((i) => i.errorType ?? 'ok')).toEqual(['Sandbox.Timedout', 'ok']);

    // The first attempt's handler ends later (Lambda would have stopped it): the execution's result stays the retry's.
    slow.calls[0]!.release();
    await slow.calls[0]!.finished;
    const after = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(after.status).toBe('SUCCEEDED');
    expect(JSON.parse(after.output ?? 'null')).toEqual({ attempt: 2 });
    expect(slow.calls).toHaveLength(2);
  });

  it('runs at most `concurrency` invocations of one function at once; the next starts when one ends', async () => {
    const invoke = (): Promise<Response> => fetch(`${host.url}/invoke/one-at-a-time`, { method: 'POST', body: JSON.stringify({ hold: true }) });
    const first = invoke();
    while (queued.calls.length < 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const second = invoke();
    // Give the second request time to reach the host: with a free slot its handler would start now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(queued.order).toEqual(['start 1']);
    queued.calls[0]!.release();
    while (queued.calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    queued.calls[1]!.release();
    expect(await (await first).json()).toEqual({ attempt: 1 });
    expect(await (await second).json()).toEqual({ attempt: 2 });
    expect(queued.order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });
});
