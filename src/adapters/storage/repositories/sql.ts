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
  /** Each row's values in the order of `TableSpec.columns`, then those of `PageJoin.columns`. */
  rows: unknown[][];
  edges?: Page<unknown>['edges'];
}

/**
 * Tables joined to the page's rows (aliased `p`, with the columns of `TableSpec.columns`), read in
 * the page's statement together with the COUNT: on MariaDB, where each statement is a round trip
 * through the pool, one statement instead of three. (On SQLite separate statements cost less: the
 * derived table is copied through a sorter.)
 */
export interface PageJoin {
  /** Qualified and aliased columns of the joined tables, e.g. `r.role_key AS j_role_key`. */
  columns: readonly string[];
  /** `LEFT JOIN … ON … = p.id`: one row per page row, never more. */
  joins: string;
}

/**
 * Runs a filtered, sorted, paged list in SQL: the page, never more rows than asked (keyset paging
 * reads one more, to know whether another page follows), and the COUNT. With a join, the COUNT is
 * a subquery of the page's statement; without, it is read after the page, and only when the
 * page does not tell it.
 */
export async function listRows(
  sql: SqlRunner,
  spec: TableSpec,
  accountId: string,
  query: ListQuery<string, string>,
  join?: PageJoin,
): Promise<ListedRows> {
  const where = query.where
    ? conditionToSql(query.where, spec.fields, spec.collections)
    : { sql: '1 = 1', params: [] };
  const from = `FROM ${spec.table} ${spec.alias} WHERE ${spec.alias}.account_id = ? AND (${where.sql})`;
  const params = [accountId, ...where.params];
  const count = async () => num((await sql.all<{ n: unknown }>(`SELECT COUNT(*) AS n ${from}`, params))[0].n);
  const selected: Selected = { spec, from, params, join };
  if (query.keyset) {
    const { rows, edges, total } = await keysetPage(sql, selected, query);
    return { total: total ?? (await count()), rows, edges };
  }
  if (query.limit === 0) return { total: await count(), rows: [] };
  const sortColumn = query.sortBy ? spec.fields[query.sortBy] : undefined;
  // Ties (and no sortBy) fall back to the id, so paging is stable.
  const { rows, total } = await pageRows(sql, selected, sortColumn, query.sortOrder === 'descending', {
    sql: `${limitSql(query.limit)} OFFSET ?`,
    params: [query.offset],
  });
  if (total !== undefined) return { total, rows };
  // A page shorter than asked ends the list, so it tells the total, unless it is empty past the
  // start (past the end, or nothing matches): a filter finding one user reads no COUNT.
  const ended = rows.length < query.limit && (rows.length > 0 || query.offset === 0);
  return { total: ended ? query.offset + rows.length : await count(), rows };
}

interface Selected {
  spec: TableSpec;
  from: string;
  params: unknown[];
  join?: PageJoin;
}

/**
 * The page's rows in order, as `ListedRows` has them. With a join, one statement: a derived table
 * picks the page's ids (so the joins touch its rows only, not those OFFSET skips) with the COUNT
 * as an uncorrelated subquery, evaluated once; the table is joined back to it, first in the join
 * order, and the page ordered by the derived table's columns alone. Ordering by the joined row
 * instead sent MariaDB through an on-disk temporary table, text columns and all: two to three
 * times the server's CPU for a page (docs/benchmarks.md). `total` is that count, undefined
 * without a join or without rows.
 */
async function pageRows(
  sql: SqlRunner,
  { spec, from, params, join }: Selected,
  sortColumn: ColumnSpec | undefined,
  descending: boolean,
  tail: { sql: string; params: unknown[] },
  seek: { sql: string; params: unknown[] } = { sql: '', params: [] },
): Promise<{ rows: unknown[][]; total: number | undefined; sortKeys: unknown[] }> {
  const id = `${spec.alias}.id`;
  const direction = descending ? 'DESC' : 'ASC';
  const order = sortColumn ? `${sortColumn.column} ${direction}, ${id} ${direction}` : `${id} ${direction}`;
  const sortKey = sortColumn ? `, ${sortColumn.column} AS sort_key` : '';
  const statement = join
    ? `SELECT ${selectList(spec, 'p')}${sortColumn ? ', k.sort_key' : ''}, k.total_count, ${join.columns.join(', ')}
         FROM (SELECT ${id}${sortKey}, (SELECT COUNT(*) ${from}) AS total_count
                 ${from}${seek.sql} ORDER BY ${order}${tail.sql}) k
         STRAIGHT_JOIN ${spec.table} p ON p.id = k.id ${join.joins}
        ORDER BY ${sortColumn ? `k.sort_key ${direction}, ` : ''}k.id ${direction}`
    : `SELECT ${selectList(spec, spec.alias)}${sortKey} ${from}${seek.sql} ORDER BY ${order}${tail.sql}`;
  const rows = await sql.values(statement, [
    ...(join ? params : []),
    ...params,
    ...seek.params,
    ...tail.params,
  ]);
  const width = spec.columns.length;
  const extra = (sortColumn ? 1 : 0) + (join ? 1 : 0);
  const total = join && rows.length > 0 ? num(rows[0][width + extra - 1]) : undefined;
  const sortKeys = sortColumn ? rows.map((row) => row[width]) : [];
  // The page's own columns, then the joined ones, without the sort key and the count between.
  if (extra > 0) for (const row of rows) row.splice(width, extra);
  return { rows, total, sortKeys };
}

/**
 * The rows after (or before) a row key, found by seeking on the (account_id, sort column) index
 * rather than by skipping: going backward reads the reversed order and turns the page around.
 */
async function keysetPage(
  sql: SqlRunner,
  selected: Selected,
  query: ListQuery<string, string>,
): Promise<Omit<ListedRows, 'total'> & { total: number | undefined }> {
  const keyset = query.keyset!;
  const id = `${selected.spec.alias}.id`;
  const sortColumn = query.sortBy ? selected.spec.fields[query.sortBy] : undefined;
  const backward = keyset.direction === 'backward';
  const descending = (query.sortOrder === 'descending') !== backward;
  const seek = keyset.from ? seekSql(sortColumn, id, keyset.from, descending) : { sql: '', params: [] };
  if (query.limit === 0) {
    return { rows: [], total: undefined, edges: { first: null, last: null, more: false } };
  }
  const { rows, total, sortKeys } = await pageRows(
    sql,
    selected,
    sortColumn,
    descending,
    { sql: limitSql(query.limit + 1), params: [] },
    seek,
  );
  const more = rows.length > query.limit;
  if (more) {
    rows.pop();
    sortKeys.pop();
  }
  if (backward) {
    rows.reverse();
    sortKeys.reverse();
  }
  const keyOf = (i: number): RowKey | null =>
    i < 0 || i >= rows.length
      ? null
      : { sort: sortColumn ? keyValue(sortKeys[i], sortColumn.kind) : null, id: String(rows[i][0]) };
  return { rows, total, edges: { first: keyOf(0), last: keyOf(rows.length - 1), more } };
}

/**
 * ` LIMIT n`, the number written into the statement, not bound: SQLite (3.53) reads a bound
 * LIMIT's value when it plans a statement, and so prepares the statement anew at every run, which
 * cost a one-user filter three times its page statement (docs/benchmarks.md). A page size is one
 * of few values, so each gets one cached statement; the OFFSET stays bound.
 */
export function limitSql(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`a LIMIT must be a whole number: ${limit}`);
  return ` LIMIT ${limit}`;
}

function selectList(spec: TableSpec, alias: string): string {
  return spec.columns.map((name) => `${alias}.${name}`).join(', ');
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
