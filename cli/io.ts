/**
 * What a command may touch of the outside world: its output streams, its environment and whether stdout is a
 * terminal. Commands are functions of (argv, io) so that tests run them in-process.
 */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** stdout is a terminal: `run` follows the execution by default, and the timeline is coloured. */
  isTTY?: boolean;
}

export const defaultIo = (): CliIo => ({
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
});

/** One JSON document per line (`--json` output that a script reads as it arrives). */
export const jsonLine = (value: unknown): string => `${JSON.stringify(value)}\n`;

/** A whole JSON document, indented (`--json` output of commands that print one result). */
export const jsonDocument = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
