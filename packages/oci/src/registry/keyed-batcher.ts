interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Serialises work per key and merges what piles up meanwhile: while one run for a key is in
 * progress, new items wait and are then handled together by the next run. Concurrent referrer
 * updates of one subject thus become one read-modify-write instead of racing each other.
 */
export class KeyedBatcher<T> {
  private readonly queues = new Map<string, Pending<T>[]>();

  constructor(private readonly run: (key: string, items: T[]) => Promise<void>) {}

  submit(key: string, item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue !== undefined) {
        queue.push({ item, resolve, reject });
        return;
      }
      this.queues.set(key, [{ item, resolve, reject }]);
      void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    for (;;) {
      const batch = this.queues.get(key) ?? [];
      if (batch.length === 0) {
        this.queues.delete(key);
        return;
      }
      this.queues.set(key, []);
      try {
        await this.run(
          key,
          batch.map((p) => p.item),
        );
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }
}
