import { defaultClients, type AwsClients } from '../aws/clients';

/**
 * A dependency built on first use from the process's AWS clients, and built
 * again if those are replaced (the local stack points them at a new emulator).
 */
export function perClients<T>(make: (clients: AwsClients) => T): () => T {
  let built: { clients: AwsClients; value: T } | undefined;
  return () => {
    const clients = defaultClients();
    if (built?.clients !== clients) built = { clients, value: make(clients) };
    return built.value;
  };
}
