import type { Logger } from 'pino';
import type { AttemptOutcome, ClaimedDelivery } from '../domain/delivery/delivery-ports';
import type { DeliveryEngine } from '../domain/delivery/delivery-engine';

export interface DeliveryLoopOptions {
  /** How often to look for work other instances wrote (this instance's commits wake it at once). */
  pollMs: number;
  /** Requests in flight at most. */
  concurrency: number;
}

/**
 * The delivery loop every server instance runs: fan new events out, claim due deliveries, send
 * them, write back what happened, and again while there is work; then sleep until a commit in
 * this process wakes it or the poll interval passes. Every step is safe on several instances at
 * once (the engine's compare-and-set cursor and leases), so nothing needs electing a leader.
 */
export class DeliveryLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly engine: DeliveryEngine,
    private readonly options: DeliveryLoopOptions,
    private readonly logger: Logger,
  ) {}

  get started(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped || this.options.pollMs <= 0) return;
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops polling and waits for the round in progress (its outcomes are written). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Something may have been written: run a round now (or right after the one in progress). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.rounds().finally(() => {
      this.running = undefined;
    });
  }

  /** Runs rounds until nothing is left to fan out or due to send (tests, `roster webhooks deliver`). */
  async drain(): Promise<void> {
    while (await this.round()) {
      // keep going
    }
  }

  private async rounds(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.round())) {
          // more work may be waiting: go on without sleeping
        }
      } catch (err) {
        // The database is down or busy: the next poll tries again; nothing claimed is lost (leases).
        this.logger.warn({ err }, 'delivery round failed');
        return;
      }
    } while (this.again && !this.stopped);
  }

  /** One round; true when it did something (so another may find more). */
  private async round(): Promise<boolean> {
    const fannedOut = await this.engine.fanOut();
    const { deliveries, targets } = await this.engine.claim(this.options.concurrency * 4);
    if (deliveries.length === 0) return fannedOut > 0;
    const outcomes = await inParallel(deliveries, this.options.concurrency, (d) =>
      this.engine.attempt(d, targets.get(d.targetId)),
    );
    const claimed = new Map<string, ClaimedDelivery>(deliveries.map((d) => [d.id, d]));
    const disabled = await this.engine.record(outcomes, claimed);
    for (const target of disabled)
      this.logger.warn(target, 'delivery target disabled after repeated failure');
    return true;
  }
}

/** Runs `work` over `items` with at most `limit` at a time; results in the items' order. */
async function inParallel(
  items: readonly ClaimedDelivery[],
  limit: number,
  work: (item: ClaimedDelivery) => Promise<AttemptOutcome>,
): Promise<AttemptOutcome[]> {
  const results = new Array<AttemptOutcome>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
