import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OciError } from '../errors.js';

/**
 * Write a file so that readers see the old content or the new, never a part: write a temp file
 * beside it, then rename over. On any error the temp file is removed and nothing changed.
 */
export async function writeFileAtomic(file: string, content: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, content, { flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new OciError('IO', `could not write ${file}: ${(error as Error).message}`, { cause: error });
  }
}

const locks = new Map<string, Promise<unknown>>();

/**
 * Run `task` exclusively for `key` within this process (e.g. one layout's index.json), in
 * submission order.
 */
export function withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key);
  });
  return run;
}
