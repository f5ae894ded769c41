import { describe, expect, it } from 'vitest';
import type { ValidationAction } from '../types.js';
import { VALIDATION_TYPES, resolveVerificationLevel } from './verification-level.js';

const E = 'enforce';
const L = 'log';
const S = 'skip';

// notation-go TestGetVerificationLevel / TestCustomVerificationLevel, in the order
// integrity, authenticity, authenticTimestamp, expiry, revocation.
describe('resolving a verification level', () => {
  const ok: Array<[string, Record<string, string> | undefined, ValidationAction[]]> = [
    ['strict', undefined, [E, E, E, E, E]],
    ['permissive', undefined, [E, E, L, L, L]],
    ['audit', undefined, [E, L, L, L, L]],
    ['skip', undefined, [S, S, S, S, S]],
    ['strict', { authenticity: 'log' }, [E, L, E, E, E]],
    ['permissive', { authenticity: 'log' }, [E, L, L, L, L]],
    ['audit', { authenticity: 'log' }, [E, L, L, L, L]],
    ['strict', { expiry: 'log' }, [E, E, E, L, E]],
    ['permissive', { expiry: 'log' }, [E, E, L, L, L]],
    ['strict', { revocation: 'log' }, [E, E, E, E, L]],
    ['strict', { revocation: 'skip' }, [E, E, E, E, S]],
    ['permissive', { revocation: 'skip' }, [E, E, L, L, S]],
    ['audit', { revocation: 'skip' }, [E, L, L, L, S]],
    ['strict', { authenticTimestamp: 'log' }, [E, E, L, E, E]],
    ['permissive', { authenticTimestamp: 'enforce', expiry: 'enforce' }, [E, E, E, E, L]],
  ];
  for (const [level, override, actions] of ok) {
    it(`${level} with ${JSON.stringify(override ?? {})}`, () => {
      const resolved = resolveVerificationLevel({ level, ...(override ? { override } : {}) });
      expect(VALIDATION_TYPES.map((t) => resolved.enforcement[t])).toEqual(actions);
      expect(resolved.name).toBe(level);
    });
  }

  const bad: Array<[string, Record<string, string>, string]> = [
    [
      'strict',
      { integrity: 'log' },
      '"integrity" verification can not be overridden in custom signature verification',
    ],
    [
      'strict',
      { authenticity: 'skip' },
      '"authenticity" verification can not be skipped in custom signature verification',
    ],
    [
      'strict',
      { authenticTimestamp: 'skip' },
      '"authenticTimestamp" verification can not be skipped in custom signature verification',
    ],
    [
      'strict',
      { expiry: 'skip' },
      '"expiry" verification can not be skipped in custom signature verification',
    ],
    [
      'skip',
      { authenticity: 'log' },
      'signature verification level "skip" can\'t be used to customize signature verification',
    ],
    ['invalid', { authenticity: 'log' }, 'invalid signature verification level "invalid"'],
    [
      'strict',
      { invalid: 'log' },
      'verification type "invalid" in custom signature verification is not supported, supported values are ["integrity" "authenticity" "authenticTimestamp" "expiry" "revocation"]',
    ],
    [
      'strict',
      { authenticity: 'invalid' },
      'verification action "invalid" in custom signature verification is not supported, supported values are ["enforce" "log" "skip"]',
    ],
  ];
  for (const [level, override, message] of bad) {
    it(`rejects ${level} with ${JSON.stringify(override)}`, () => {
      expect(() => resolveVerificationLevel({ level, override })).toThrow(message);
    });
  }

  it('does not share the preset between callers', () => {
    const a = resolveVerificationLevel({ level: 'strict', override: { expiry: 'log' } });
    const b = resolveVerificationLevel({ level: 'strict' });
    expect(a.enforcement.expiry).toBe('log');
    expect(b.enforcement.expiry).toBe('enforce');
  });
});
