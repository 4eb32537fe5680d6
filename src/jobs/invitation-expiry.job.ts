import type { Job } from './job';
import type { InvitationService } from '../domain/invitations/invitation-service';

/** Ends invitations nobody accepted within 7 days (they already cannot be accepted; this frees their seat). */
export class InvitationExpiryJob implements Job {
  readonly name = 'invitation-expiry';
  readonly description = 'Marks invitations unaccepted after 7 days as expired, audited; frees their seats';

  constructor(private readonly invitations: InvitationService) {}

  async run(now: number): Promise<string> {
    const expired = await this.invitations.expireDue(now);
    return `${expired} invitation${expired === 1 ? '' : 's'} expired`;
  }
}
