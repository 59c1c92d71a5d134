#!/usr/bin/env -S npx tsx
/** The remediate CLI (cli/main.ts): manual runbooks, plans, status, history, rollback, policy analysis, the local stack. */
import { main } from '../cli/main';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
