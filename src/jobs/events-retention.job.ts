import type { EventsService } from '../domain/events/events-service';
import type { Job } from './job';

const dayMs = 24 * 60 * 60_000;

/** Deletes the change feed's events older than EVENTS_RETENTION_DAYS. */
export class EventsRetentionJob implements Job {
  readonly name = 'events-retention';
  readonly description = 'Deletes change-feed events older than EVENTS_RETENTION_DAYS';

  constructor(
    private readonly events: EventsService,
    private readonly retentionDays: number,
  ) {}

  async run(now: number): Promise<string> {
    const deleted = await this.events.sweep(now - this.retentionDays * dayMs);
    return `${deleted} event${deleted === 1 ? '' : 's'} older than ${this.retentionDays} days deleted`;
  }
}
