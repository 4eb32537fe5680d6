import type { AccessPolicy } from '../access/policy';
import type { Actor } from '../actor';
import { pageLimit } from '../query';
import type { AuditFilter, UnitOfWork } from '../ports';
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
    private readonly policy: AccessPolicy,
  ) {}

  async list(actor: Actor, filter: AuditFilter = {}): Promise<AuditPage> {
    const limit = pageLimit(filter.limit, maxPage, 'audit.limit_invalid');
    return this.uow.read(async (tx) => {
      await this.policy.assertMay(tx, actor, 'audit.view', { read: true });
      const events = await tx.audit.list(actor.accountId, { ...filter, limit: limit + 1 });
      const page = events.slice(0, limit);
      return { events: page, nextCursor: events.length > limit ? (page[page.length - 1].id ?? null) : null };
    });
  }
}
