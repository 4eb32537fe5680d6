import type { AccountId } from '../../../domain/ids';
import type { AccountDomain, AccountDomainRepository } from '../../../domain/oidc/oidc-ports';
import { insertIgnore, type Dialect } from '../dialect';
import type { SqlRunner } from '../sql-runner';
import { num } from './sql';

/** Claimed email domains: the primary key makes one account per domain, on both databases. */
export class AccountDomainRepositorySql implements AccountDomainRepository {
  constructor(
    private readonly sql: SqlRunner,
    private readonly dialect: Dialect,
  ) {}

  async insert(domain: AccountDomain): Promise<boolean> {
    const inserted = await this.sql.run(
      `${insertIgnore(this.dialect)} INTO account_domains (domain, account_id, created_at, created_by) VALUES (?, ?, ?, ?)`,
      [domain.domain, domain.accountId, domain.created, domain.createdBy],
    );
    return inserted > 0;
  }

  async find(domain: string): Promise<AccountDomain | null> {
    const rows = await this.sql.all('SELECT * FROM account_domains WHERE domain = ?', [domain]);
    return rows.length ? toDomain(rows[0]) : null;
  }

  async delete(accountId: AccountId, domain: string): Promise<boolean> {
    return (
      (await this.sql.run('DELETE FROM account_domains WHERE domain = ? AND account_id = ?', [
        domain,
        accountId,
      ])) > 0
    );
  }

  async list(accountId: AccountId): Promise<AccountDomain[]> {
    return (
      await this.sql.all('SELECT * FROM account_domains WHERE account_id = ? ORDER BY domain', [accountId])
    ).map(toDomain);
  }
}

function toDomain(row: Record<string, unknown>): AccountDomain {
  return {
    domain: row.domain as string,
    accountId: row.account_id as AccountId,
    created: num(row.created_at),
    createdBy: row.created_by as string,
  };
}
