/**
 * SCIM filter (RFC 7644 §3.4.2.2) → storage-neutral Condition. The syntax is parsed by
 * scim2-parse-filter; this module maps attribute paths to domain fields and types the values.
 */
import type { Compare, Filter, Suffix, ValuePath } from 'scim2-parse-filter';
import { tokenizer } from 'scim2-parse-filter/lib/src/parser';
import type { Condition, FieldKind, FieldValue, GroupCondition, UserCondition } from '../../domain/query';
import { groupSpec, listAttributes, userSpec, type ResourceSpec } from './filter-attributes';
import { parseFilterText } from './filter-text';
import { ScimError } from './scim-error';

export { groupFilterAttributes, userFilterAttributes } from './filter-attributes';

export function parseUserFilter(filter: string): UserCondition {
  return parseFilter(filter, userScope);
}

export function parseGroupFilter(filter: string): GroupCondition {
  return parseFilter(filter, groupScope);
}

// ---------------------------------------------------------------------------------------------
// Scopes: how attribute paths resolve at the top level and inside `attr[...]`.

type Resolved<F extends string, C extends string> =
  | { type: 'field'; field: F; kind: FieldKind }
  | { type: 'element'; collection: C; sub: string; kind: FieldKind };

interface CollectionRef<C extends string> {
  name: C;
  fields: Record<string, FieldKind>;
}

interface Scope<F extends string, C extends string> {
  resolve(attrPath: string): Resolved<F, C> | undefined;
  collection(attrPath: string): CollectionRef<C> | undefined;
  unsupported(attrPath: string): ScimError;
}

function resourceScope<F extends string, C extends string>(spec: ResourceSpec<F, C>): Scope<F, C> {
  const byPath = new Map<string, Resolved<F, C> | CollectionRef<C>>();
  const add = (path: string, target: Resolved<F, C> | CollectionRef<C>) => {
    byPath.set(path.toLowerCase(), target);
  };
  for (const [schema, paths] of Object.entries(spec.schemas)) {
    for (const [path, target] of Object.entries(paths)) {
      for (const written of [path, `${schema}:${path}`]) {
        if (typeof target === 'string') {
          add(written, { type: 'field', field: target, kind: spec.fields[target] });
          continue;
        }
        const fields = spec.collections[target.collection];
        add(written, { name: target.collection, fields });
        for (const [sub, kind] of Object.entries(fields)) {
          add(`${written}.${sub}`, { type: 'element', collection: target.collection, sub, kind });
        }
      }
    }
  }
  const listed = listAttributes(spec).join(', ');
  return {
    resolve(attrPath) {
      const target = byPath.get(attrPath.toLowerCase());
      if (target === undefined || 'type' in target) return target;
      // A bare multi-valued attribute compares its `value` (RFC 7644 §3.4.2.2).
      const kind = target.fields.value;
      return kind === undefined
        ? undefined
        : { type: 'element', collection: target.name, sub: 'value', kind };
    },
    collection(attrPath) {
      const target = byPath.get(attrPath.toLowerCase());
      return target !== undefined && 'name' in target ? target : undefined;
    },
    unsupported: (attrPath) =>
      invalidFilter(`Filtering on "${attrPath}" is not supported; filterable attributes are: ${listed}`),
  };
}

/** Inside `emails[...]`: only the element's sub-attributes, no nested value paths. */
function elementScope<F extends string, C extends string>(
  collection: CollectionRef<C>,
  writtenCollection: string,
  parent: Scope<F, C>,
): Scope<string, never> {
  const byName = new Map(Object.keys(collection.fields).map((name) => [name.toLowerCase(), name]));
  return {
    resolve(attrPath) {
      const field = byName.get(attrPath.toLowerCase());
      return field === undefined ? undefined : { type: 'field', field, kind: collection.fields[field] };
    },
    collection: () => undefined,
    unsupported: (attrPath) => parent.unsupported(`${writtenCollection}.${attrPath}`),
  };
}

const userScope = resourceScope(userSpec);
const groupScope = resourceScope(groupSpec);

// ---------------------------------------------------------------------------------------------
// Parsing and translation.

function invalidFilter(detail: string): ScimError {
  return ScimError.badRequest('invalidFilter', detail);
}

function parseFilter<F extends string, C extends string>(
  filter: string,
  scope: Scope<F, C>,
): Condition<F, C> {
  if (filter.trim() === '') throw invalidFilter('The filter is empty');
  const shown = `"${filter.length > 200 ? `${filter.slice(0, 200)}…` : filter}"`;
  const { ast, text } = parseFilterText(filter, (why) =>
    invalidFilter(`The filter ${shown} is refused: ${why}`),
  );
  let subAttributePaths: Set<ValuePath>;
  try {
    subAttributePaths = valuePathsWithSubAttribute(text, ast);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw invalidFilter(`The filter ${shown} is not valid SCIM filter syntax (${reason})`);
  }
  return translate(ast, { scope, subAttributePaths });
}

/**
 * The library turns `emails[type eq "work"].value eq "x"` into the same AST as
 * `emails[type eq "work"] and emails.value eq "x"`, but the first must match one email and the
 * second may match two different ones. The tokens tell them apart: each value path's closing
 * bracket is `].` or `]`, and closing brackets occur in post-order of the value paths.
 */
function valuePathsWithSubAttribute(filter: string, ast: Filter): Set<ValuePath> {
  const valuePaths: ValuePath[] = [];
  const visit = (node: Filter): void => {
    if (node.op === 'and' || node.op === 'or') node.filters.forEach(visit);
    else if (node.op === 'not') visit(node.filter);
    else if (node.op === '[]') {
      visit(node.valFilter);
      valuePaths.push(node);
    }
  };
  visit(ast);
  // No value path and no bracket (literals are placeholders here): tokenizing again finds none.
  if (valuePaths.length === 0 && !filter.includes(']')) return new Set();
  const closers = tokenizer(filter).filter((t) => t.type === 'Bracket' && t.literal.startsWith(']'));
  if (closers.length !== valuePaths.length) throw new Error('unbalanced brackets');
  return new Set(valuePaths.filter((_, i) => closers[i].literal === '].'));
}

interface Context<F extends string, C extends string> {
  scope: Scope<F, C>;
  subAttributePaths: Set<ValuePath>;
}

function translate<F extends string, C extends string>(node: Filter, ctx: Context<F, C>): Condition<F, C> {
  switch (node.op) {
    case 'and':
    case 'or': {
      const [first, second] = node.filters;
      if (
        node.op === 'and' &&
        node.filters.length === 2 &&
        first.op === '[]' &&
        ctx.subAttributePaths.has(first)
      ) {
        return translateValuePath(first, ctx, second);
      }
      return combine(
        node.op,
        node.filters.map((f) => translate(f, ctx)),
      );
    }
    case 'not':
      return { kind: 'not', inner: translate(node.filter, ctx) };
    case '[]':
      if (ctx.subAttributePaths.has(node)) {
        throw invalidFilter(`The filter has "${node.attrPath}[...]." without a sub-attribute comparison`);
      }
      return translateValuePath(node, ctx);
    default:
      return translateLeaf(node, ctx.scope);
  }
}

/** Balanced, so that long `or` lists do not nest deeper than SQL parsers allow. */
function combine<F extends string, C extends string>(
  kind: 'and' | 'or',
  conditions: Condition<F, C>[],
): Condition<F, C> {
  if (conditions.length === 1) return conditions[0];
  const middle = Math.floor(conditions.length / 2);
  return {
    kind,
    left: combine(kind, conditions.slice(0, middle)),
    right: combine(kind, conditions.slice(middle)),
  };
}

/** `coll[valFilter]`, or `coll[valFilter].sub op value` when `subFilter` (attrPath `coll.sub`) is given. */
function translateValuePath<F extends string, C extends string>(
  node: ValuePath,
  ctx: Context<F, C>,
  subFilter?: Filter,
): Condition<F, C> {
  const collection = ctx.scope.collection(node.attrPath);
  if (collection === undefined) throw ctx.scope.unsupported(node.attrPath);
  const inner: Context<string, never> = {
    scope: elementScope(collection, node.attrPath, ctx.scope),
    subAttributePaths: ctx.subAttributePaths,
  };
  let where = translate(node.valFilter, inner);
  if (subFilter !== undefined) {
    const sub =
      'attrPath' in subFilter
        ? { ...subFilter, attrPath: subFilter.attrPath.slice(node.attrPath.length + 1) }
        : subFilter;
    where = { kind: 'and', left: where, right: translate(sub, inner) };
  }
  return { kind: 'some', collection: collection.name, where };
}

function translateLeaf<F extends string, C extends string>(
  node: Compare | Suffix,
  scope: Scope<F, C>,
): Condition<F, C> {
  const target = scope.resolve(node.attrPath);
  if (target === undefined) throw scope.unsupported(node.attrPath);
  if (target.type === 'field') return leaf(target.field, target.kind, node);
  return { kind: 'some', collection: target.collection, where: leaf(target.sub, target.kind, node) };
}

function leaf<N extends string>(field: N, kind: FieldKind, node: Compare | Suffix): Condition<N, never> {
  if (node.op === 'pr') return { kind: 'present', field };
  checkOperator(kind, node);
  return { kind: 'compare', field, op: node.op, value: coerce(kind, node) };
}

const orderingOps = new Set(['gt', 'ge', 'lt', 'le']);
const substringOps = new Set(['co', 'sw', 'ew']);

function checkOperator(kind: FieldKind, node: Compare): void {
  const unsupported =
    (kind === 'bool' && (orderingOps.has(node.op) || substringOps.has(node.op))) ||
    (kind === 'time' && substringOps.has(node.op));
  if (unsupported) {
    const type = kind === 'bool' ? 'boolean' : 'dateTime';
    throw invalidFilter(
      `The operator "${node.op}" cannot be used on the ${type} attribute "${node.attrPath}"`,
    );
  }
}

function coerce(kind: FieldKind, node: Compare): FieldValue {
  const value = node.compValue;
  if (value === null) {
    throw invalidFilter(
      `Comparing "${node.attrPath}" with null is not supported; use "${node.attrPath} pr" or "not (${node.attrPath} pr)"`,
    );
  }
  switch (kind) {
    case 'bool':
      return coerceBoolean(value, node.attrPath);
    case 'time':
      return coerceDateTime(value, node.attrPath);
    case 'ci':
    case 'ce':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      throw invalidFilter(`The attribute "${node.attrPath}" needs a string value, not ${value}`);
  }
}

function coerceBoolean(value: string | number | boolean, attrPath: string): boolean {
  if (typeof value === 'boolean') return value;
  // Entra ID sends booleans as strings, e.g. "True".
  const text = String(value).toLowerCase();
  if (typeof value === 'string' && (text === 'true' || text === 'false')) return text === 'true';
  throw invalidFilter(`The attribute "${attrPath}" needs true or false, not ${JSON.stringify(value)}`);
}

function coerceDateTime(value: string | number | boolean, attrPath: string): number {
  const millis = typeof value === 'string' ? parseDateTime(value) : undefined;
  if (millis === undefined) {
    throw invalidFilter(
      `The attribute "${attrPath}" needs a date-time such as "2024-01-31T12:00:00Z", not ${JSON.stringify(value)}`,
    );
  }
  return millis;
}

const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))?$/i;

/** xsd:dateTime → epoch ms; without a zone it is taken as UTC. Undefined for impossible dates. */
function parseDateTime(text: string): number | undefined {
  const m = dateTimePattern.exec(text);
  if (m === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', , sign, offsetHours, offsetMinutes] = m;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second, millis);
  // Date.UTC rolls over (Feb 30 → Mar 1); an impossible date does not survive the round trip.
  const roundTrip = new Date(local).toISOString().slice(0, 19);
  if (roundTrip !== `${year}-${month}-${day}T${hour}:${minute}:${second}`) return undefined;
  if (sign === undefined) return local;
  if (+offsetHours > 23 || +offsetMinutes > 59) return undefined;
  const offset = (+offsetHours * 60 + +offsetMinutes) * 60_000;
  return sign === '+' ? local - offset : local + offset;
}
