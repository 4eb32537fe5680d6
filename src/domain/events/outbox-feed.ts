import type { UnitOfWork } from '../ports';
import type { EventFeed, FeedQuery } from './event-ports';
import type { RosterEvent } from './event-types';

/** How many events one sequencer pass positions at most. */
const sequencerBatch = 10_000;

/**
 * The feed over the outbox. Before it reads it gives committed events their positions (the
 * sequencer), so readers need no background task to see the newest events, and each instance's
 * readers take turns on the sequencer's lock rather than racing.
 */
export class OutboxFeed implements EventFeed {
  private running: Promise<void> | undefined;

  constructor(private readonly uow: UnitOfWork) {}

  async after(q: FeedQuery): Promise<RosterEvent[]> {
    await this.sequencePending();
    return this.uow.read((tx) => tx.events.after(q));
  }

  async latestPosition(): Promise<number> {
    await this.sequencePending();
    return this.uow.read((tx) => tx.events.latestPosition());
  }

  /** Positions the events committed so far; concurrent callers of this process share one pass. */
  sequencePending(): Promise<void> {
    this.running ??= this.sequenceOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sequenceOnce(): Promise<void> {
    // A cheap read first: the sequencer's lock is taken only when some event waits for it.
    if (!(await this.uow.read((tx) => tx.events.hasUnsequenced()))) return;
    for (;;) {
      const done = await this.uow.write(null, (tx) => tx.events.sequence(sequencerBatch));
      if (done < sequencerBatch) return;
    }
  }
}
