/** The runtime settings (lib/config.ts), read from the environment on each use: cheap, and never stale. */
export { runtimeSettings as settings } from '../config';
