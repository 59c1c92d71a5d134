/**
 * The `remediate` CLI: the table of commands, the usage, `--help` for each command, and one place that turns an
 * error into a message and an exit code. Each command lives in its own module (cli/<command>.ts), as a function of
 * (argv, io) that tests call in-process. The same SDK calls work against a deployed stack and the local stack
 * (REMEDIATOR_AWS_ENDPOINT).
 */
import { analyzeCommand } from './analyze';
import type { Command } from './command';
import { controlsCommand } from './controls';
import { EXIT, EXIT_CODES_HELP, exitCodeOfError } from './errors';
import { historyCommand } from './history';
import { defaultIo, type CliIo } from './io';
import { localCommand } from './local';
import { planCommand } from './plan';
import { rollbackCommand } from './rollback';
import { rulesCommand } from './rules';
import { runCommand } from './run';
import { statusCommand } from './status';

export const COMMANDS: readonly Command[] = [runCommand, planCommand, statusCommand, historyCommand, rollbackCommand, controlsCommand, rulesCommand, analyzeCommand, localCommand];

export type { CliIo } from './io';

export const USAGE = `usage: remediate <command> [options]      (remediate <command> --help: its options and an example)

${COMMANDS.map((command) => `  ${command.synopsis}\n      ${command.summary}`).join('\n')}

Settings come from the environment: REMEDIATOR_STATE_MACHINE_ARN, REMEDIATOR_AUDIT_TABLE, AWS_REGION,
REMEDIATOR_RULES_FILE, and REMEDIATOR_AWS_ENDPOINT for the local stack (\`remediate local\` prints them).

${EXIT_CODES_HELP}
`;

const HELP_FLAGS = new Set(['--help', '-h', 'help']);

/** `--help` of a command (its own text and the exit codes every command shares). */
export function commandHelp(command: Command): string {
  return command.name === 'analyze' ? command.help : `${command.help}\n${EXIT_CODES_HELP}\n`;
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || HELP_FLAGS.has(name)) {
    (name ? io.stdout : io.stderr)(USAGE);
    return name ? EXIT.OK : EXIT.USAGE;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`remediate: unknown command "${name}"\n\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (rest.some((arg) => arg === '--help' || arg === '-h')) {
    io.stdout(commandHelp(command));
    return EXIT.OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    const err = error as Error;
    const code = exitCodeOfError(error);
    io.stderr(`remediate ${name}: ${err.name}: ${err.message}\n${code === EXIT.USAGE ? `(see: remediate ${name} --help)\n` : ''}`);
    return code;
  }
}
