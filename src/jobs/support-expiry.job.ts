import type { Job } from './job';
import type { SupportAccessService } from '../domain/support-access/support-access-service';

/** Ends support grants whose time is up (they already stop working at that instant; this records it). */
export class SupportExpiryJob implements Job {
  readonly name = 'support-access-expiry';
  readonly description = 'Marks support grants past their end date as expired, audited';

  constructor(private readonly support: SupportAccessService) {}

  async run(now: number): Promise<string> {
    const expired = await this.support.expireDue(now);
    return `${expired} support grant${expired === 1 ? '' : 's'} expired`;
  }
}
