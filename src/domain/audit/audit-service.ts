import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { pageLimit } from '../query';
import type { AccountId } from '../ids';
import type { AuditFilter, Tx, UnitOfWork } from '../ports';
import type { AuditEvent } from './events';

export interface AuditPage {
  events: AuditEvent[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: number | null;
}

const maxPage = 500;

/** Reads the audit log (roles.md rule 8), newest first, cursor-paged; `audit.view` is required. */
export class AuditService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly rules: RuleBook,
  ) {}

  async list(actor: Actor, filter: AuditFilter = {}): Promise<AuditPage> {
    const limit = pageLimit(filter.limit, maxPage, 'audit.limit_invalid');
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'audit.view');
      const events = await tx.audit.list(actor.accountId, { ...filter, limit: limit + 1 });
      const page = await this.named(tx, actor.accountId, events.slice(0, limit));
      return { events: page, nextCursor: events.length > limit ? (page[page.length - 1].id ?? null) : null };
    });
  }

  /** Names the people in each event, deleted ones included (their tombstones keep the name). */
  private async named(tx: Tx, accountId: AccountId, events: AuditEvent[]): Promise<AuditEvent[]> {
    const ids = events.flatMap((e) => [
      ...(e.actorKind === 'member' ? [e.actorId] : []),
      ...(e.subjectType === 'user' ? [e.subjectId] : []),
    ]);
    const names = await tx.users.namesOf(accountId, ids);
    return events.map((e) => ({
      ...e,
      actorName: e.actorKind === 'member' ? (names.get(e.actorId) ?? null) : null,
      subjectName: e.subjectType === 'user' ? (names.get(e.subjectId) ?? null) : null,
    }));
  }
}
