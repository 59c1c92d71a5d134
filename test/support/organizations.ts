/**
 * AWS Organizations on the emulator, one account per test: moto keys every call to an account
 * and the `x-moto-account-id` header picks it, so an organization created in one test never
 * meets another test's.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { AwsClients, type ClientConfig } from '../../lib/aws/clients';

let nextAccount = 0;
/** A fresh 12-digit account id for one test (moto creates its backends on first use). */
export function freshAccount(): string {
  nextAccount += 1;
  return `7${String(Date.now() % 1e9).padStart(9, '0')}${String(nextAccount).padStart(2, '0')}`;
}

/** Clients acting in `accountId` on the emulator; `calls` lists the Organizations operations sent. */
export function organizationsClientsIn(stack: { clientConfig: ClientConfig }, accountId: string): AwsClients & { calls: string[] } {
  const clients = Object.assign(new AwsClients(stack.clientConfig, { accountId }), { calls: [] as string[] });
  clients.get(OrganizationsClient).middlewareStack.add(
    (next, context) => async (args) => {
      clients.calls.push(String(context.commandName));
      const request = args.request as { headers: Record<string, string> };
      request.headers['x-moto-account-id'] = accountId;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return clients;
}
