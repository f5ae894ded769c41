/**
 * At most `limit` tasks at a time per key (here: per registry host), the rest queued in order.
 * Keeps one slow or rate-limiting registry from being flooded by a burst of admissions, while
 * other registries' work goes on.
 */
export class KeyedLimiter {
  private readonly active = new Map<string, number>();
  private readonly queues = new Map<string, (() => void)[]>();

  constructor(private readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`the concurrency limit must be a positive integer, got ${limit}`);
    }
  }

  /** Tasks running or waiting for `key`. */
  load(key: string): number {
    return (this.active.get(key) ?? 0) + (this.queues.get(key)?.length ?? 0);
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await task();
    } finally {
      this.releaseSlot(key);
    }
  }

  private acquire(key: string): Promise<void> {
    const running = this.active.get(key) ?? 0;
    if (running < this.limit) {
      this.active.set(key, running + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.queues.get(key) ?? [];
      queue.push(resolve);
      this.queues.set(key, queue);
    });
  }

  private releaseSlot(key: string): void {
    const queue = this.queues.get(key);
    const next = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.queues.delete(key);
    if (next !== undefined) {
      // The slot passes to the next task: the active count stays.
      next();
      return;
    }
    const running = (this.active.get(key) ?? 1) - 1;
    if (running === 0) this.active.delete(key);
    else this.active.set(key, running);
  }
}
