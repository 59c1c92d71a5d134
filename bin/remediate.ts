#!/usr/bin/env -S npx tsx
/** The remediate CLI: manual runbooks, dry-run plans, rollback, status, policy analysis, the local stack. */
import { main } from '../lib/cli/commands';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
