/**
 * Condition → parameterized SQL that runs unchanged on SQLite and MariaDB/MySQL (`?` placeholders).
 * Every predicate evaluates to true or false, never NULL, so that `NOT` also matches rows whose
 * column is NULL. LIKE is case-sensitive on both databases (SQLite `case_sensitive_like`, MySQL
 * binary collation), which is why case-insensitive fields are stored and compared folded; and `=`
 * does not pad on either (MySQL's no-pad binary collation), so `"x "` never equals `"x"`.
 */
import type { CompareOp, Condition, FieldKind, FieldValue } from '../../domain/query';
import { foldCase, normalizeCaseInsensitive } from '../../domain/text';

export interface ColumnSpec {
  /** Already qualified, e.g. 'u.user_name_norm'. For `ci` fields it holds a lowercased copy. */
  column: string;
  kind: FieldKind;
  /**
   * For values kept in rows of another table (an attribute index): the correlated
   * `SELECT 1 FROM … WHERE …` that finds them; `column` is then a column of those rows, never NULL,
   * booleans stored as '1'/'0'. A comparison holds when such a row holds it (`ne`: when none is equal).
   */
  exists?: string;
}

export interface CollectionSpec {
  /** SQL selecting from the aliased child table, correlated to the parent, e.g.
   * "SELECT 1 FROM user_emails e WHERE e.user_id = u.id". */
  from: string;
  fields: Record<string, ColumnSpec>;
}

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

export function conditionToSql(
  cond: Condition,
  fields: Record<string, ColumnSpec>,
  collections: Record<string, CollectionSpec>,
): SqlFragment {
  switch (cond.kind) {
    case 'compare': {
      const spec = columnOf(fields, cond.field);
      return spec.exists
        ? indexedCompareSql(spec, spec.exists, cond.op, cond.value)
        : compareSql(spec, cond.op, cond.value);
    }
    case 'present': {
      const spec = columnOf(fields, cond.field);
      return spec.exists ? indexedPresentSql(spec, spec.exists) : presentSql(spec);
    }
    case 'and':
    case 'or': {
      const left = conditionToSql(cond.left, fields, collections);
      const right = conditionToSql(cond.right, fields, collections);
      return {
        sql: `(${left.sql} ${cond.kind.toUpperCase()} ${right.sql})`,
        params: [...left.params, ...right.params],
      };
    }
    case 'not': {
      const inner = conditionToSql(cond.inner, fields, collections);
      return { sql: `(NOT ${inner.sql})`, params: inner.params };
    }
    case 'some': {
      const collection = collections[cond.collection];
      if (collection === undefined) throw new Error(`No collection "${cond.collection}" is mapped to SQL`);
      const inner = conditionToSql(cond.where, collection.fields, {});
      return { sql: `EXISTS (${collection.from} AND ${inner.sql})`, params: inner.params };
    }
    case 'none':
      return { sql: '1 = 0', params: [] };
  }
}

function columnOf(fields: Record<string, ColumnSpec>, field: string): ColumnSpec {
  const spec = Object.hasOwn(fields, field) ? fields[field] : undefined;
  if (spec === undefined) throw new Error(`No column is mapped for the field "${field}"`);
  return spec;
}

const comparators: Record<Exclude<CompareOp, 'co' | 'sw' | 'ew'>, string> = {
  eq: '=',
  ne: '<>',
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
};

function compareSql({ column, kind }: ColumnSpec, op: CompareOp, value: FieldValue): SqlFragment {
  if (value === null) return nullCompareSql(column, op);
  if (op === 'co' || op === 'sw' || op === 'ew') {
    // A substring is folded like the stored value but not trimmed: its spaces are part of it.
    const part = kind === 'ci' && typeof value === 'string' ? foldCase(value) : value;
    return likeSql(column, kind, op, part);
  }
  const param = toParam(kind, value, column);
  if (op === 'ne') return { sql: `(${column} IS NULL OR ${column} <> ?)`, params: [param] };
  return { sql: `(${column} IS NOT NULL AND ${column} ${comparators[op]} ?)`, params: [param] };
}

/** A comparison on rows of an attribute index: some row matches (or, for `ne`, none is equal). */
function indexedCompareSql(spec: ColumnSpec, exists: string, op: CompareOp, value: FieldValue): SqlFragment {
  if (value === null) {
    const present = indexedPresentSql(spec, exists);
    return op === 'eq' ? { sql: `(NOT ${present.sql})`, params: [] } : present;
  }
  const inner = compareSql(spec, op === 'ne' ? 'eq' : op, textual(spec.kind, value));
  const sql = `EXISTS (${exists} AND ${inner.sql})`;
  return { sql: op === 'ne' ? `(NOT ${sql})` : sql, params: inner.params };
}

function indexedPresentSql(spec: ColumnSpec, exists: string): SqlFragment {
  const nonEmpty = spec.kind === 'ci' || spec.kind === 'ce' ? ` AND ${spec.column} <> ''` : '';
  return { sql: `EXISTS (${exists}${nonEmpty})`, params: [] };
}

/** Index rows hold text: a boolean is compared as its stored '1'/'0'. */
function textual(kind: FieldKind, value: string | number | boolean): string | number | boolean {
  return kind === 'bool' && typeof value === 'boolean' ? (value ? '1' : '0') : value;
}

function nullCompareSql(column: string, op: CompareOp): SqlFragment {
  if (op === 'eq') return { sql: `${column} IS NULL`, params: [] };
  if (op === 'ne') return { sql: `${column} IS NOT NULL`, params: [] };
  throw new Error(`Cannot compare ${column} with null using "${op}"`);
}

function likeSql(column: string, kind: FieldKind, op: 'co' | 'sw' | 'ew', value: unknown): SqlFragment {
  if (typeof value !== 'string' || (kind !== 'ci' && kind !== 'ce')) {
    throw new Error(`"${op}" needs a string column, ${column} is ${kind}`);
  }
  const escaped = value.replace(/[!%_]/g, '!$&');
  const pattern = op === 'co' ? `%${escaped}%` : op === 'sw' ? `${escaped}%` : `%${escaped}`;
  return { sql: `(${column} IS NOT NULL AND ${column} LIKE ? ESCAPE '!')`, params: [pattern] };
}

function presentSql({ column, kind }: ColumnSpec): SqlFragment {
  if (kind === 'ci' || kind === 'ce')
    return { sql: `(${column} IS NOT NULL AND ${column} <> '')`, params: [] };
  return { sql: `${column} IS NOT NULL`, params: [] };
}

/**
 * The value as bound: for `ci` the stored `_norm` key (trimmed, case-folded: the same function the
 * repositories store with), 1/0 for booleans, epoch ms for times.
 */
function toParam(kind: FieldKind, value: string | number | boolean, column: string): string | number {
  if (kind === 'ci' && typeof value === 'string') return normalizeCaseInsensitive(value);
  if (kind === 'ce' && typeof value === 'string') return value;
  if (kind === 'bool' && typeof value === 'boolean') return value ? 1 : 0;
  if (kind === 'bool' && (value === '1' || value === '0')) return value;
  if (kind === 'time' && typeof value === 'number' && Number.isFinite(value)) return value;
  throw new Error(`A ${typeof value} value cannot be compared with the ${kind} column ${column}`);
}
