import { actorId, type Actor } from '../actor';
import type { Clock, Tx } from '../ports';
import type { AuditChange } from './events';

/** Appends the audit event for `change` inside the caller's transaction (roles.md rule 8). */
export function recordAudit(tx: Tx, actor: Actor, clock: Clock, change: AuditChange): Promise<void> {
  return tx.audit.append({
    ...change,
    accountId: actor.accountId,
    actorKind: actor.kind,
    actorId: actorId(actor),
    channel: actor.channel,
    requestId: actor.requestId ?? null,
    occurredAt: clock.now(),
  });
}
