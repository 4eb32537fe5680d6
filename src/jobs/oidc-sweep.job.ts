import type { Job } from './job';
import type { HandOffService } from '../domain/oidc/hand-off-service';

/**
 * Ends product sign-ins whose Roster session ran out (telling the products) and deletes the
 * OpenID Provider's expired records (codes, tokens, interactions, sessions).
 */
export class OidcSweepJob implements Job {
  readonly name = 'oidc-sweep';
  readonly description =
    'Ends expired product sign-ins (back-channel logout) and deletes expired OpenID records';
  // A product learns within seconds that a sign-in ran out (its tokens work until then).
  readonly everySeconds = 5;

  constructor(private readonly handOff: HandOffService) {}

  async run(now: number): Promise<string> {
    const { sessionsEnded, recordsDeleted } = await this.handOff.sweep(now);
    return `${sessionsEnded} expired sign-in${sessionsEnded === 1 ? '' : 's'} ended, ${recordsDeleted} expired record${recordsDeleted === 1 ? '' : 's'} deleted`;
  }
}
