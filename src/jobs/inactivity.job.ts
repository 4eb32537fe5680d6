import type { Job } from './job';
import type { InactivityService } from '../domain/lifecycle/inactivity-service';

/** Flags (or deactivates, as each account chooses) users with no login for N days. */
export class InactivityJob implements Job {
  readonly name = 'inactivity';
  readonly description =
    "Flags users with no login for the account's N days (default 90), or deactivates them";

  constructor(private readonly inactivity: InactivityService) {}

  async run(now: number): Promise<string> {
    const { flagged, deactivated } = await this.inactivity.sweep(now);
    return `${flagged} flagged for review, ${deactivated} deactivated`;
  }
}
