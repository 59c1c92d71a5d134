import { OuPaths } from '../org/ou-path';
import { perClients } from './memo';

/** The OU paths of accounts, cached for the life of the container (lib/org/ou-path.ts). */
export const ouPaths = perClients((clients) => new OuPaths(clients));
