import { describe, expect, it } from 'vitest';
import { KeyedLimiter } from './keyed-limiter.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('a keyed limiter', () => {
  it('runs at most `limit` tasks per key, the others in order as slots free up', async () => {
    const limiter = new KeyedLimiter(2);
    const started: number[] = [];
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const tasks = gates.map((gate, i) =>
      limiter.run('registry-a', async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toEqual([0, 1]);
    expect(limiter.load('registry-a')).toBe(4);
    gates[1]?.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.resolve();
    gates[2]?.resolve();
    gates[3]?.resolve();
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3]);
    expect(limiter.load('registry-a')).toBe(0);
  });

  it('does not hold back another key', async () => {
    const limiter = new KeyedLimiter(1);
    const blocked = deferred();
    const slow = limiter.run('slow.example.com', () => blocked.promise);
    expect(await limiter.run('fast.example.com', () => Promise.resolve('done'))).toBe('done');
    blocked.resolve();
    await slow;
  });

  it('frees the slot of a task that fails', async () => {
    const limiter = new KeyedLimiter(1);
    await expect(limiter.run('r', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run('r', () => Promise.resolve(1))).toBe(1);
    expect(limiter.load('r')).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new KeyedLimiter(0)).toThrow('the concurrency limit must be a positive integer, got 0');
  });
});
