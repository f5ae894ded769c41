import { parseArgs } from 'node:util';
import { VerifyCoreError } from '../errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}

export interface ParsedCommand {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** Accepted by every command: progress lines on stderr even when it is not a terminal (`runCli` reads it). */
export const VERBOSE_OPTION: Record<string, OptionSpec> = { verbose: { type: 'boolean', short: 'v' } };

/**
 * Parse a command's arguments strictly (plus `--verbose`); unknown options and wrong arity are
 * USAGE errors naming the fix.
 */
export function parseCommandArgs(
  command: string,
  args: readonly string[],
  options: Record<string, OptionSpec>,
  positionals: { min: number; max: number; usage: string },
): ParsedCommand {
  let parsed: ParsedCommand;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...VERBOSE_OPTION, ...options },
      allowPositionals: true,
      strict: true,
    }) as ParsedCommand;
  } catch (error) {
    const message =
      error instanceof Error
        ? error.message.replace(/\. To specify a positional argument.*$/s, '')
        : String(error);
    throw new VerifyCoreError('USAGE', `scs ${command}: ${message}. Usage: ${positionals.usage}`);
  }
  if (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max) {
    const what =
      parsed.positionals.length < positionals.min
        ? 'is missing an argument'
        : `has unexpected arguments: ${parsed.positionals.slice(positionals.max).join(' ')}`;
    throw new VerifyCoreError('USAGE', `scs ${command} ${what}. Usage: ${positionals.usage}`);
  }
  return parsed;
}

export function stringOption(parsed: ParsedCommand, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function stringsOption(parsed: ParsedCommand, name: string): string[] {
  const value = parsed.values[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

export function flag(parsed: ParsedCommand, name: string): boolean {
  return parsed.values[name] === true;
}

/** `--output text|json` (and the extra formats a command accepts). */
export function outputOption<T extends string>(
  parsed: ParsedCommand,
  command: string,
  allowed: readonly T[],
): T {
  const value = stringOption(parsed, 'output') ?? allowed[0];
  if (value === undefined || !(allowed as readonly string[]).includes(value)) {
    throw new VerifyCoreError(
      'USAGE',
      `scs ${command}: --output ${value ?? ''} is not supported; use one of ${allowed.join(', ')}`,
    );
  }
  return value as T;
}
