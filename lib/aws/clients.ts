/**
 * The one place AWS SDK clients are built. Every module asks an `AwsClients`
 * for the client class it needs (`clients.get(S3Client)`), so a function
 * bundles only the clients it calls, each client is built once per scope, and
 * the endpoint, region and credentials are decided here alone.
 *
 * On AWS the SDK defaults apply. On the local stack REMEDIATOR_AWS_ENDPOINT
 * points every client at the emulator (path-style S3). Decorators see every
 * client built (the fault drills wrap the clients of the function host here).
 * Resources of a member account get clients whose credentials come from that
 * account's member role (lib/aws/member-clients.ts), scoped to that account.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

export interface ClientConfig {
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  maxAttempts?: number;
  /** Fixed credentials, or a provider (a member account's assumed role: lib/aws/member-clients.ts). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** Just enough of an SDK v3 client for decorators: its middleware stack. */
export interface SdkClient {
  middlewareStack: { add(middleware: never, options?: unknown): void };
}

export type ClientClass<T> = new (config: ClientConfig) => T;

/** Called with every client the factory builds; returns nothing, may add middleware. */
export type ClientDecorator = (client: SdkClient, scope: ClientScope) => void;

/** Whose credentials a set of clients acts with. */
export interface ClientScope {
  /** The account the clients act in, when known (null: the runtime's own account). */
  accountId: string | null;
}

const decorators = new Set<ClientDecorator>();

/** Register a decorator for clients built from now on; returns the function that removes it. */
export function addClientDecorator(decorator: ClientDecorator): () => void {
  decorators.add(decorator);
  return () => decorators.delete(decorator);
}

export function clientConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ClientConfig> = {}): ClientConfig {
  const endpoint = overrides.endpoint ?? env.REMEDIATOR_AWS_ENDPOINT;
  const region = overrides.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const config: ClientConfig = { region, maxAttempts: overrides.maxAttempts ?? 3 };
  if (endpoint) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
  }
  if (overrides.credentials) config.credentials = overrides.credentials;
  return config;
}

export class AwsClients {
  private readonly built = new Map<ClientClass<unknown>, unknown>();

  constructor(
    readonly config: ClientConfig,
    readonly scope: ClientScope = { accountId: null },
  ) {}

  /** The client of this class for this scope, built on first use. */
  get<T>(Class: ClientClass<T>): T {
    let client = this.built.get(Class) as T | undefined;
    if (!client) {
      client = new Class(this.config);
      for (const decorate of decorators) decorate(client as unknown as SdkClient, this.scope);
      this.built.set(Class, client);
    }
    return client;
  }
}

let processClients: AwsClients | undefined;

/** The clients of this process (one Lambda container, the CLI, or the local function host). */
export function defaultClients(): AwsClients {
  return (processClients ??= new AwsClients(clientConfigFromEnv()));
}

/** Forget the process clients (tests and the local stack change the environment between stacks). */
export function resetDefaultClients(): void {
  processClients = undefined;
}
