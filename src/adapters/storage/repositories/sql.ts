import type { SqlRunner } from '../sql-runner';
import type { FieldKind, ListQuery } from '../../../domain/query';
import { conditionToSql, type CollectionSpec, type ColumnSpec } from '../condition-sql';

/** Row values come back as strings (MySQL BIGINT, COUNT) or numbers (SQLite); normalize once. */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export function bool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/** Splits long id lists so no statement exceeds the drivers' parameter limits. */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Rows of an `IN (…)` lookup, grouped by their key column, for many ids at once in chunks. */
export async function lookupGrouped<K, Row, V>(
  ids: readonly K[],
  query: (part: K[]) => Promise<Row[]>,
  keyOf: (row: Row) => K,
  valueOf: (row: Row) => V,
): Promise<Map<K, V[]>> {
  const result = new Map<K, V[]>();
  for (const part of chunks(ids)) {
    for (const row of await query(part)) {
      const key = keyOf(row);
      const list = result.get(key);
      if (list) list.push(valueOf(row));
      else result.set(key, [valueOf(row)]);
    }
  }
  return result;
}

export function placeholders(count: number): string {
  return new Array(count).fill('?').join(', ');
}

export interface TableSpec {
  table: string;
  alias: string;
  fields: Record<string, ColumnSpec>;
  collections: Record<string, CollectionSpec>;
}

/** Runs a filtered, sorted, paged list in SQL: one COUNT and one page, never more rows than the page. */
export async function listRows(
  sql: SqlRunner,
  spec: TableSpec,
  accountId: string,
  query: ListQuery<string, string>,
): Promise<{ total: number; rows: Record<string, unknown>[] }> {
  const where = query.where
    ? conditionToSql(query.where, spec.fields, spec.collections)
    : { sql: '1 = 1', params: [] };
  const from = `FROM ${spec.table} ${spec.alias} WHERE ${spec.alias}.account_id = ? AND (${where.sql})`;
  const params = [accountId, ...where.params];
  const [{ n }] = await sql.all<{ n: unknown }>(`SELECT COUNT(*) AS n ${from}`, params);
  const total = num(n);
  if (query.limit === 0 || query.offset >= total) return { total, rows: [] };
  const direction = query.sortOrder === 'descending' ? 'DESC' : 'ASC';
  const sort = query.sortBy ? `${spec.fields[query.sortBy].column} ${direction}, ` : '';
  // Ties (and no sortBy) fall back to the id, so paging is stable.
  const rows = await sql.all(
    `SELECT ${spec.alias}.* ${from} ORDER BY ${sort}${spec.alias}.id ${direction} LIMIT ? OFFSET ?`,
    [...params, query.limit, query.offset],
  );
  return { total, rows };
}

export function column(column: string, kind: FieldKind): ColumnSpec {
  return { column, kind };
}
