/**
 * The AWS SDK's credential chain inside a deployed function. serverless.yml
 * (custom.esbuild.alias) puts this module in place of
 * `@aws-sdk/credential-provider-node` in the function bundles only; the CLI and
 * the local stack keep the SDK's own chain.
 *
 * On Lambda the execution role's credentials are always in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and the SDK's
 * default chain takes them from there in its first link. Its other links — SSO,
 * shared ini files, credential processes, web identity tokens, container and
 * instance metadata — cannot answer on Lambda, yet they bring the SSO, STS and
 * sign-in clients into every bundle (about 100 KiB of its 1 MiB budget). Member
 * accounts are unaffected: their credentials come from our own AssumeRole
 * (lib/aws/member-clients.ts), signed with these.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export class LambdaCredentialsError extends Error {
  override name = 'CredentialsProviderError';
  /** The SDK's chains stop at an error that does not say `tryNextLink`. */
  readonly tryNextLink = false;
}

/** Same name and shape as `@aws-sdk/credential-provider-node`'s export, which the SDK clients import. */
export const defaultProvider =
  (init: Parameters<typeof fromEnv>[0] = {}): AwsCredentialIdentityProvider =>
  async (): Promise<AwsCredentialIdentity> => {
    try {
      return await fromEnv(init)();
    } catch {
      throw new LambdaCredentialsError(
        'no AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): this bundle is built for AWS Lambda, which sets them from the execution role; run the source with tsx elsewhere',
      );
    }
  };

export const credentialsWillNeedRefresh = (credentials?: AwsCredentialIdentity): boolean => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
