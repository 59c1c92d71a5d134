/**
 * The function bundles take AWS credentials from the environment only
 * (serverless.yml aliases @aws-sdk/credential-provider-node to
 * lib/aws/lambda-credentials.ts): a client built the way `osls package` builds
 * the functions signs real requests with the environment's credentials, and
 * never falls through to a shared credentials file.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleLikeAFunction } from '../support/function-bundle';
import { useLocalStack } from '../support/emulator';

const ENTRY = `
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
const sts = new STSClient({ region: process.env.AWS_REGION, endpoint: process.env.TEST_ENDPOINT });
try {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  console.log(JSON.stringify({ account: identity.Account }));
} catch (error) {
  console.log(JSON.stringify({ error: error.name, message: error.message }));
}
`;

describe('credentials inside a function bundle', () => {
  const stack = useLocalStack();
  let bundle: string;
  let inputs: string[];

  beforeAll(async () => {
    ({ file: bundle, inputs } = await bundleLikeAFunction(ENTRY));
  });

  /** Runs the bundle in a fresh node with only the given environment and a home directory that holds a credentials file. */
  function run(env: Record<string, string>): { account?: string; error?: string; message?: string } {
    const home = mkdtempSync(join(tmpdir(), 'remediator-home-'));
    mkdirSync(join(home, '.aws'));
    // A profile a laptop might have: the default chain would use it; the function bundle must not.
    writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = fromfile\naws_secret_access_key = fromfile\n');
    const child = spawnSync(process.execPath, [bundle], {
      env: { PATH: process.env.PATH, HOME: home, AWS_REGION: stack.region, TEST_ENDPOINT: stack.endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.status, child.stderr).toBe(0);
    return JSON.parse(child.stdout.trim().split('\n').pop()!);
  }

  it('leaves the SDK chain links that cannot answer on Lambda out of the bundle', () => {
    expect(inputs.some((input) => input.endsWith('lib/aws/lambda-credentials.ts'))).toBe(true);
    for (const absent of ['credential-provider-sso', 'credential-provider-ini', 'credential-provider-web-identity', 'nested-clients']) {
      expect(inputs.filter((input) => input.includes(`/${absent}/`)), absent).toEqual([]);
    }
  });

  it('signs with the credentials Lambda puts in the environment', () => {
    expect(run({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_SESSION_TOKEN: 'token' })).toEqual({ account: expect.stringMatching(/^\d{12}$/) });
  });

  it('without them, says so and does not fall back to a credentials file', () => {
    const outcome = run({});
    expect(outcome.error).toBe('CredentialsProviderError');
    expect(outcome.message).toMatch(/no AWS credentials in the environment \(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\)/);
  });
});
