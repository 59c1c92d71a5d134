/** What every command is: its name, one line for the command list, its `--help` (with an example), and its body. */
import type { CliIo } from './io';

export interface Command {
  name: string;
  /** The synopsis and one line of what it does, for `remediate --help`. */
  synopsis: string;
  summary: string;
  /** The full `--help`: options, an example; the exit codes are appended by main. */
  help: string;
  run: (argv: string[], io: CliIo) => Promise<number>;
}
