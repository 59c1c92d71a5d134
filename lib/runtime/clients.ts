/** The AWS clients of this process (lib/aws/clients.ts). */
export { defaultClients as clients } from '../aws/clients';
