import { actorId, type Actor } from '../actor';
import type { Clock, Tx } from '../ports';
import { eventsForAudit } from '../events/audit-events';
import type { AuditChange, AuditEvent } from './events';

/**
 * Appends the audit event for `change` inside the caller's transaction (roles.md rule 8), and
 * the change feed's events for it in the same transaction (the outbox).
 */
export async function recordAudit(tx: Tx, actor: Actor, clock: Clock, change: AuditChange): Promise<void> {
  const record = auditEvent(actor, clock.now(), change);
  await tx.audit.append(record);
  await appendEvents(tx, [record]);
}

/** Many events of one actor at one moment (a recompute of a whole group), in a few statements. */
export async function recordAudits(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  changes: readonly AuditChange[],
): Promise<void> {
  const at = clock.now();
  const records = changes.map((change) => auditEvent(actor, at, change));
  await tx.audit.appendMany(records);
  await appendEvents(tx, records);
}

async function appendEvents(tx: Tx, records: readonly AuditEvent[]): Promise<void> {
  const drafts = eventsForAudit(records);
  if (drafts.length > 0) await tx.events.appendMany(drafts);
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
