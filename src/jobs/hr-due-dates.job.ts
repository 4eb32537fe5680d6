import type { Job } from './job';
import type { HrSyncService } from '../domain/hr-sync/hr-sync-service';

/** Applies HR start dates (activates) and termination dates (deactivates at the end of the day) that are due. */
export class HrDueDatesJob implements Job {
  readonly name = 'hr-due-dates';
  readonly description =
    'Activates HR hires on their start date and deactivates leavers after their last day';

  constructor(private readonly hrSync: HrSyncService) {}

  async run(now: number): Promise<string> {
    const applied = await this.hrSync.applyDueDates(now);
    return `${applied} HR date${applied === 1 ? '' : 's'} applied`;
  }
}
