/**
 * The one place AWS SDK clients are configured. On AWS, the defaults apply.
 * On the local stack, REMEDIATOR_AWS_ENDPOINT points every client at the
 * emulator (path-style S3, dummy credentials come from the environment).
 */
export interface ClientConfig {
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  maxAttempts?: number;
}

export function clientConfig(overrides: Partial<ClientConfig> = {}): ClientConfig {
  const endpoint = overrides.endpoint ?? process.env.REMEDIATOR_AWS_ENDPOINT;
  const region = overrides.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const config: ClientConfig = { region, maxAttempts: overrides.maxAttempts ?? 3 };
  if (endpoint) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
  }
  return config;
}
