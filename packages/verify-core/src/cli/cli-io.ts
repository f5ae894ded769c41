/** What the CLI needs from the process: output streams, files, time, environment. Tests pass plain objects. */
import type { DirectoryFileSystem } from '../files/replace-directory.js';

export interface CliOutput {
  /** Results (what `--output json` makes machine-readable). */
  stdout(text: string): void;
  /** Messages, warnings, errors and progress. */
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress lines are shown only then, or with --verbose). */
  readonly interactive: boolean;
}

export interface CliFileSystem extends DirectoryFileSystem {
  readFile(file: string): Promise<Uint8Array>;
}

export type OutputFormat = 'text' | 'json';
