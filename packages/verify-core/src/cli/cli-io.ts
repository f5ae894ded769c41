/** What the CLI needs from the process: output streams, files, time, environment. Tests pass plain objects. */

export interface CliOutput {
  /** Results (what `--output json` makes machine-readable). */
  stdout(text: string): void;
  /** Messages, warnings, errors and progress. */
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress lines are shown only then, or with --verbose). */
  readonly interactive: boolean;
}

export interface CliFileSystem {
  readFile(file: string): Promise<Uint8Array>;
  writeFile(file: string, content: Uint8Array | string, options?: { mode?: number }): Promise<void>;
  mkdir(dir: string): Promise<void>;
  /** Make a new empty directory beside `near` (for writing a tree, then renaming it into place). */
  mkdtemp(prefix: string): Promise<string>;
  rename(from: string, to: string): Promise<void>;
  rm(target: string): Promise<void>;
  /** `undefined` when the path does not exist. */
  stat(target: string): Promise<{ isDirectory: boolean; isFile: boolean } | undefined>;
  readdir(dir: string): Promise<string[]>;
}

export type OutputFormat = 'text' | 'json';
