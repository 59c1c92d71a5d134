/** `remediate analyze`: who outside the zone of trust a resource policy lets in (the policy analyzer's own CLI). */
import { runAnalyzeCommand } from '../lib/policy/cli';
import type { Command } from './command';

export const analyzeCommand: Command = {
  name: 'analyze',
  synopsis: 'analyze <policy.json|-> --account <id> [--org <id> --org-accounts <ids>] [--type s3|kms|…] [--json] [--fix]',
  summary: 'who outside the zone of trust a resource policy lets in (offline: no AWS call)',
  help: `usage: remediate analyze <policy.json|-> --account <id[,id]> [options]

Analyses a resource policy offline against a zone of trust (your accounts, or an organization and its accounts) and
lists every statement that lets in someone outside it, with the actions and conditions considered. The file may hold
the policy, a JSON string of it, or the AWS CLI output that carries it (get-bucket-policy, get-key-policy, …);
\`-\` reads standard input.

  --account <id[,id]>            the zone of trust (required)
  --org <o-id> --org-accounts    an organization and its member accounts, inside the zone too
  --type s3|kms|sqs|…            the resource kind (some condition keys depend on it)
  --acl <grants.json> --public-access-block <bpa.json> --owner-canonical-id <id>   S3 ACL and Block Public Access
  --json                         the analysis as JSON
  --fix                          also print the minimal fix (--fix-service-risks: narrow service principals too)
  --fail-on-exposed              exit 1 when something is exposed
  --strict                       exit 2 on a policy IAM itself would reject (default: a lint note and a conservative verdict)

Its exit codes are its own: 0 analysed (whatever the verdict), 1 exposed (only with --fail-on-exposed),
2 usage error, unreadable file, not JSON, or (--strict) a policy IAM would reject.

example:
  aws s3api get-bucket-policy --bucket my-bucket | remediate analyze - --account 123456789012 --type s3 --fix
`,
  run: (argv, io) => runAnalyzeCommand(argv, { stdout: io.stdout, stderr: io.stderr }),
};
