import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { CliFileSystem, CliOutput } from './cli-io.js';

/** The real file system. */
export const nodeFileSystem: CliFileSystem = {
  readFile: async (file) => new Uint8Array(await readFile(file)),
  writeFile: (file, content, options) =>
    writeFile(file, content, options?.mode === undefined ? {} : { mode: options.mode }),
  mkdir: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  mkdtemp: (prefix) => mkdtemp(prefix),
  rename: (from, to) => rename(from, to),
  rm: (target) => rm(target, { recursive: true, force: true }),
  stat: async (target) => {
    try {
      const s = await stat(target);
      return { isDirectory: s.isDirectory(), isFile: s.isFile() };
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  readdir: (dir) => readdir(dir),
};

/** The process's streams. */
export function processOutput(): CliOutput {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    interactive: process.stderr.isTTY,
  };
}

/** Output captured in memory (tests, and the demo's inner commands). */
export function memoryOutput(): CliOutput & { out: string; err: string } {
  const captured = {
    out: '',
    err: '',
    interactive: false,
    stdout(text: string) {
      captured.out += text;
    },
    stderr(text: string) {
      captured.err += text;
    },
  };
  return captured;
}
