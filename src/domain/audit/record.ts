import { actorId, type Actor } from '../actor';
import type { Clock, Tx } from '../ports';
import type { AuditChange, AuditEvent } from './events';

/** Appends the audit event for `change` inside the caller's transaction (roles.md rule 8). */
export function recordAudit(tx: Tx, actor: Actor, clock: Clock, change: AuditChange): Promise<void> {
  return tx.audit.append(auditEvent(actor, clock.now(), change));
}

/** Many events of one actor at one moment (a recompute of a whole group), in a few statements. */
export function recordAudits(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  changes: readonly AuditChange[],
): Promise<void> {
  const at = clock.now();
  return tx.audit.appendMany(changes.map((change) => auditEvent(actor, at, change)));
}

function auditEvent(actor: Actor, occurredAt: number, change: AuditChange): AuditEvent {
  return {
    ...change,
    accountId: actor.accountId,
    actorKind: actor.kind,
    actorId: actorId(actor),
    channel: actor.channel,
    requestId: actor.requestId ?? null,
    occurredAt,
  };
}
