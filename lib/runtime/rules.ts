/** The rules in force (read once per container by lib/rules/load.ts). */
export { loadRules as rules } from '../rules/load';
