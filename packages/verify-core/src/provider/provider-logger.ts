/**
 * Structured logs: one JSON object per line (`time`, `level`, `msg`, then fields such as
 * `traceId`), written through an injected sink. Never given secrets: fields are image
 * references, paths, counts, durations and error messages (which carry no secrets by rule).
 */
import { randomBytes } from 'node:crypto';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Readonly<Record<string, unknown>>;

export interface ProviderLogger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON lines to `write`, at `level` and above. */
export function jsonLogger(options: {
  write: (line: string) => void;
  clock: () => Date;
  level?: LogLevel;
}): ProviderLogger {
  const min = ORDER[options.level ?? 'info'];
  return {
    log(level, message, fields = {}) {
      if (ORDER[level] < min) return;
      options.write(
        `${JSON.stringify({ time: options.clock().toISOString(), level, msg: message, ...fields })}\n`,
      );
    },
  };
}

export const silentProviderLogger: ProviderLogger = { log: () => undefined };

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The trace id of a request: the one of a W3C `traceparent` header when the caller sent one (so
 * the provider's lines join the caller's trace), otherwise a new random one.
 */
export function traceIdOf(traceparent: string | undefined): string {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim());
  const id = match?.[1];
  if (id !== undefined && !/^0+$/.test(id)) return id;
  return randomBytes(16).toString('hex');
}
