/**
 * What `scs serve` takes from the process beyond the CLI context: the environment (docker
 * configuration location), the home directory, and the signals that stop (SIGTERM, SIGINT) or
 * reload (SIGHUP) it. `processServeRuntime` is the real one; tests pass plain objects.
 */
import os from 'node:os';

export interface ServeSignals {
  /** Calls `handler` once, on the first stop request. */
  onStop(handler: () => void): void;
  /** Calls `handler` on every reload request. */
  onReload(handler: () => void): void;
}

export interface ServeRuntime {
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
  signals: ServeSignals;
}

export function processServeRuntime(): ServeRuntime {
  return {
    env: process.env,
    homeDir: os.homedir(),
    signals: {
      onStop(handler) {
        let stopped = false;
        const stop = (): void => {
          if (stopped) return;
          stopped = true;
          handler();
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      },
      onReload(handler) {
        process.on('SIGHUP', handler);
      },
    },
  };
}
