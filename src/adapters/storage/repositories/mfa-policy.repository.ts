import type { AccountId } from '../../../domain/ids';
import type { MfaPolicy } from '../../../domain/mfa/mfa-policy';
import type { MfaPolicyRepository } from '../../../domain/ports';
import type { SqlRunner } from '../sql-runner';
import { bool } from './sql';

export class MfaPolicyRepositorySql implements MfaPolicyRepository {
  constructor(private readonly sql: SqlRunner) {}

  async get(accountId: AccountId): Promise<MfaPolicy | null> {
    const rows = await this.sql.all<Record<string, unknown>>(
      'SELECT * FROM account_mfa_policies WHERE account_id = ?',
      [accountId],
    );
    return rows.length === 0 ? null : toPolicy(rows[0]);
  }

  async accountsWhere(match: (policy: MfaPolicy) => boolean): Promise<AccountId[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      'SELECT * FROM account_mfa_policies ORDER BY account_id',
    );
    return rows.filter((row) => match(toPolicy(row))).map((row) => row.account_id as AccountId);
  }

  /** The caller holds the account's write lock, so read-then-write cannot race. */
  async save(accountId: AccountId, policy: MfaPolicy, at: number): Promise<void> {
    const values = [
      policy.required,
      JSON.stringify(policy.roleKeys),
      JSON.stringify(policy.acceptedAuthnContextClassRefs),
      JSON.stringify(policy.acceptedAuthnMethods),
      policy.allowTotpStepUp,
      at,
    ];
    const existing = await this.sql.all('SELECT account_id FROM account_mfa_policies WHERE account_id = ?', [
      accountId,
    ]);
    if (existing.length > 0) {
      await this.sql.run(
        `UPDATE account_mfa_policies SET required = ?, role_keys = ?, accepted_authn_context_class_refs = ?,
              accepted_authn_methods = ?, allow_totp_step_up = ?, updated_at = ? WHERE account_id = ?`,
        [...values, accountId],
      );
      return;
    }
    await this.sql.run(
      `INSERT INTO account_mfa_policies (required, role_keys, accepted_authn_context_class_refs,
              accepted_authn_methods, allow_totp_step_up, updated_at, account_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [...values, accountId],
    );
  }
}

function toPolicy(row: Record<string, unknown>): MfaPolicy {
  return {
    required: bool(row.required),
    roleKeys: JSON.parse(row.role_keys as string) as string[],
    acceptedAuthnContextClassRefs: JSON.parse(row.accepted_authn_context_class_refs as string) as string[],
    acceptedAuthnMethods: JSON.parse(row.accepted_authn_methods as string) as string[],
    allowTotpStepUp: bool(row.allow_totp_step_up),
  };
}
