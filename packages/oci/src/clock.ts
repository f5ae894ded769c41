import { OciError } from './errors.js';

/** Time, injected: tests pass a clock whose `sleep` resolves at once and records the waits. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new OciError('ABORTED', 'the operation was aborted'));
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new OciError('ABORTED', 'the operation was aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Where the store reports what it does. Never given secrets. */
export interface Logger {
  debug(message: string): void;
  warn(message: string): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  warn: () => undefined,
};
