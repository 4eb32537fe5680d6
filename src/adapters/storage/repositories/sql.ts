import type { SqlRunner } from '../sql-runner';
import type { FieldKind, FieldValue, ListQuery, Page, RowKey } from '../../../domain/query';
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
  /** The columns a page reads, `id` first: what the repository's row mapper needs, nothing more. */
  columns: readonly string[];
  fields: Record<string, ColumnSpec>;
  collections: Record<string, CollectionSpec>;
}

export interface ListedRows {
  total: number;
  /** Each row's values in the order of `TableSpec.columns`. */
  rows: unknown[][];
  edges?: Page<unknown>['edges'];
}

/**
 * Runs a filtered, sorted, paged list in SQL: one COUNT and one page, never more rows than the
 * page (keyset paging reads one more, to know whether another page follows).
 */
export async function listRows(
  sql: SqlRunner,
  spec: TableSpec,
  accountId: string,
  query: ListQuery<string, string>,
): Promise<ListedRows> {
  const where = query.where
    ? conditionToSql(query.where, spec.fields, spec.collections)
    : { sql: '1 = 1', params: [] };
  const from = `FROM ${spec.table} ${spec.alias} WHERE ${spec.alias}.account_id = ? AND (${where.sql})`;
  const params = [accountId, ...where.params];
  const [{ n }] = await sql.all<{ n: unknown }>(`SELECT COUNT(*) AS n ${from}`, params);
  const total = num(n);
  if (query.keyset) return { total, ...(await keysetPage(sql, spec, from, params, query)) };
  if (query.limit === 0 || query.offset >= total) return { total, rows: [] };
  const direction = query.sortOrder === 'descending' ? 'DESC' : 'ASC';
  const sort = query.sortBy ? `${spec.fields[query.sortBy].column} ${direction}, ` : '';
  // Ties (and no sortBy) fall back to the id, so paging is stable.
  const rows = await sql.values(
    `SELECT ${selectList(spec)} ${from} ORDER BY ${sort}${spec.alias}.id ${direction} LIMIT ? OFFSET ?`,
    [...params, query.limit, query.offset],
  );
  return { total, rows };
}

/**
 * The rows after (or before) a row key, found by seeking on the (account_id, sort column) index
 * rather than by skipping: going backward reads the reversed order and turns the page around.
 */
async function keysetPage(
  sql: SqlRunner,
  spec: TableSpec,
  from: string,
  params: unknown[],
  query: ListQuery<string, string>,
): Promise<Omit<ListedRows, 'total'>> {
  const keyset = query.keyset!;
  const id = `${spec.alias}.id`;
  const sortColumn = query.sortBy ? spec.fields[query.sortBy] : undefined;
  const backward = keyset.direction === 'backward';
  const descending = (query.sortOrder === 'descending') !== backward;
  const seek = keyset.from ? seekSql(sortColumn, id, keyset.from, descending) : { sql: '', params: [] };
  const direction = descending ? 'DESC' : 'ASC';
  const order = sortColumn ? `${sortColumn.column} ${direction}, ${id} ${direction}` : `${id} ${direction}`;
  const sortKey = sortColumn ? `, ${sortColumn.column} AS sort_key` : '';
  const rows =
    query.limit === 0
      ? []
      : await sql.values(
          `SELECT ${selectList(spec)}${sortKey} ${from}${seek.sql} ORDER BY ${order} LIMIT ?`,
          [...params, ...seek.params, query.limit + 1],
        );
  const more = rows.length > query.limit;
  if (more) rows.pop();
  if (backward) rows.reverse();
  // The sort key, when selected, is the last value of each row; the id is the first.
  const keyOf = (row: unknown[] | undefined): RowKey | null =>
    row === undefined
      ? null
      : { sort: sortColumn ? keyValue(row[spec.columns.length], sortColumn.kind) : null, id: String(row[0]) };
  const edges = { first: keyOf(rows[0]), last: keyOf(rows[rows.length - 1]), more };
  if (sortColumn) for (const row of rows) row.length = spec.columns.length;
  return { rows, edges };
}

function selectList(spec: TableSpec): string {
  return spec.columns.map((name) => `${spec.alias}.${name}`).join(', ');
}

/**
 * Rows strictly past `key` in the order (sort column, then id), both ascending or both
 * descending. NULL sorts first ascending and last descending on SQLite and MariaDB alike. The
 * `>=`/`<=` bound lets the database start its index range at the key.
 */
function seekSql(
  sort: ColumnSpec | undefined,
  id: string,
  key: RowKey,
  descending: boolean,
): { sql: string; params: unknown[] } {
  const past = descending ? '<' : '>';
  if (!sort) return { sql: ` AND ${id} ${past} ?`, params: [key.id] };
  const column = sort.column;
  if (key.sort === null) {
    return descending
      ? { sql: ` AND (${column} IS NULL AND ${id} < ?)`, params: [key.id] }
      : { sql: ` AND ((${column} IS NULL AND ${id} > ?) OR ${column} IS NOT NULL)`, params: [key.id] };
  }
  const bound = descending ? '<=' : '>=';
  const beyond = `${column} ${bound} ? AND (${column} ${past} ? OR ${id} ${past} ?)`;
  return {
    sql: descending ? ` AND (${column} IS NULL OR (${beyond}))` : ` AND (${beyond})`,
    params: [key.sort, key.sort, key.id],
  };
}

/** A sort column's value as a cursor keeps it: numbers for times, 0/1 for booleans, else strings. */
function keyValue(value: unknown, kind: FieldKind): FieldValue {
  if (value === null || value === undefined) return null;
  if (kind === 'time') return num(value);
  if (kind === 'bool') return bool(value) ? 1 : 0;
  return String(value);
}

export function column(column: string, kind: FieldKind): ColumnSpec {
  return { column, kind };
}
