import type { AccountId, UserId } from '../../../domain/ids';
import type { Invitation, InvitationOutcome, InvitationRepository } from '../../../domain/ports';
import type { SqlRunner } from '../sql-runner';
import { num, numOrNull } from './sql';

export class InvitationRepositorySql implements InvitationRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(invitation: Invitation, tokenHash: string): Promise<void> {
    const i = invitation;
    await this.sql.run(
      `INSERT INTO invitations (id, account_id, user_id, invited_by, status, token_hash, created_at,
                                sent_at, sent_count, expires_at, accepted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        i.id,
        i.accountId,
        i.userId,
        i.invitedBy,
        i.status,
        tokenHash,
        i.created,
        i.sent,
        i.sentCount,
        i.expires,
        i.accepted,
      ],
    );
  }

  async get(accountId: AccountId, id: string): Promise<Invitation | null> {
    const rows = await this.sql.all<Record<string, unknown>>(
      'SELECT * FROM invitations WHERE account_id = ? AND id = ?',
      [accountId, id],
    );
    return rows.length ? toInvitation(rows[0]) : null;
  }

  async findByTokenHash(tokenHash: string): Promise<Invitation | null> {
    const rows = await this.sql.all<Record<string, unknown>>(
      'SELECT * FROM invitations WHERE token_hash = ?',
      [tokenHash],
    );
    return rows.length ? toInvitation(rows[0]) : null;
  }

  async list(accountId: AccountId): Promise<(Invitation & { userName: string })[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT i.*, u.user_name FROM invitations i JOIN users u ON u.id = i.user_id
        WHERE i.account_id = ? ORDER BY i.created_at DESC, i.id`,
      [accountId],
    );
    return rows.map((row) => ({ ...toInvitation(row), userName: row.user_name as string }));
  }

  async resend(id: string, tokenHash: string, by: string, sent: number, expires: number): Promise<void> {
    await this.sql.run(
      `UPDATE invitations SET token_hash = ?, invited_by = ?, status = 'pending', sent_at = ?,
              sent_count = sent_count + 1, expires_at = ? WHERE id = ?`,
      [tokenHash, by, sent, expires, id],
    );
  }

  async settle(id: string, status: InvitationOutcome, at: number): Promise<boolean> {
    const settled = status === 'accepted' || status === 'provisioned';
    const changed = await this.sql.run(
      `UPDATE invitations SET status = ?, accepted_at = ? WHERE id = ? AND status = 'pending'`,
      [status, settled ? at : null, id],
    );
    return changed === 1;
  }

  async pendingFor(accountId: AccountId, userId: UserId): Promise<Invitation | null> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT * FROM invitations WHERE account_id = ? AND user_id = ? AND status = 'pending'`,
      [accountId, userId],
    );
    return rows.length ? toInvitation(rows[0]) : null;
  }

  async countHeldSeats(accountId: AccountId): Promise<number> {
    const rows = await this.sql.all<{ n: unknown }>(
      `SELECT COUNT(*) AS n FROM invitations i JOIN users u ON u.id = i.user_id
        WHERE i.account_id = ? AND i.status = 'pending' AND u.active = ?`,
      [accountId, false],
    );
    return num(rows[0]?.n ?? 0);
  }

  async due(now: number, limit: number): Promise<Invitation[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT * FROM invitations WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at, id LIMIT ${limit}`,
      [now],
    );
    return rows.map(toInvitation);
  }
}

function toInvitation(row: Record<string, unknown>): Invitation {
  return {
    id: row.id as string,
    accountId: row.account_id as AccountId,
    userId: row.user_id as UserId,
    invitedBy: row.invited_by as string,
    status: row.status as Invitation['status'],
    created: num(row.created_at),
    sent: num(row.sent_at),
    sentCount: num(row.sent_count),
    expires: num(row.expires_at),
    accepted: numOrNull(row.accepted_at),
  };
}
