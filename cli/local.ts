/** `remediate local`: start the local stack (moto, our handlers, the Slack stand-in) and keep it up until Ctrl-C. */
import type { Command } from './command';
import type { CliIo } from './io';

async function local(_argv: string[], io: CliIo): Promise<number> {
  const { startLocalStack } = await import('../local/stack');
  const stack = await startLocalStack({ log: (line) => io.stdout(`${line}\n`) });
  io.stdout(
    `\nlocal stack is up (Ctrl-C stops it):\n` +
      `  export REMEDIATOR_AWS_ENDPOINT=${stack.endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=${stack.region}\n` +
      `  export REMEDIATOR_STATE_MACHINE_ARN=${stack.stateMachineArn} REMEDIATOR_AUDIT_TABLE=${stack.auditTable}\n` +
      `  Slack stand-in: ${stack.slack.url}/_recorded   interactions: ${stack.interactionsUrl}\n`,
  );
  await new Promise(() => undefined);
  return 0;
}

export const localCommand: Command = {
  name: 'local',
  synopsis: 'local',
  summary: 'start the local stack and keep it running until Ctrl-C',
  help: `usage: remediate local

Starts the local stack on 127.0.0.1 with dummy credentials: the moto server (Python 3 with moto[server] 5.2.1) with
Step Functions execution on, the state machine from statemachines/remediation.asl.json, our real handlers behind its
Lambda tasks, the audit and approvals tables, and a Slack stand-in. Prints the exports that point the other
commands at it, and runs until Ctrl-C.

example:
  remediate local            # then, in another shell, paste the exports it prints and:
  remediate run s3-deny-all-bucket-policy --resource arn:aws:s3:::my-bucket --follow
`,
  run: local,
};
