/** A FIFO async mutex: SQLite's single shared connection must never interleave transactions. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  /** Units of work queued or running (for the pool metrics). */
  private pending = 0;

  run<T>(work: () => Promise<T>): Promise<T> {
    this.pending++;
    const release = () => {
      this.pending--;
    };
    const result = this.tail.then(work, work);
    result.then(release, release);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** One unit of work runs while any is pending; the rest wait. */
  get state(): { busy: number; waiting: number } {
    return { busy: Math.min(this.pending, 1), waiting: Math.max(this.pending - 1, 0) };
  }
}
