import type { Condition, ListQuery } from '../../domain/query';
import { parseAttributeList, type Projection } from './projection';
import { ScimError } from './scim-error';

/** The list parameters of GET ?… and POST /.search, one shape for both. */
export interface ListRequest<F extends string, C extends string> {
  query: ListQuery<F, C>;
  projection: Projection;
  startIndex: number;
}

export interface ListDialect<F extends string, C extends string> {
  parseFilter(filter: string): Condition<F, C>;
  /** Lowercased SCIM attribute → sortable field. */
  sortable: Record<string, F>;
}

/**
 * Reads filter, sortBy, sortOrder, startIndex, count, attributes and excludedAttributes
 * (RFC 7644 §3.4.2). A count above the advertised maximum is capped, never refused.
 */
export function parseListRequest<F extends string, C extends string>(
  params: Record<string, unknown>,
  dialect: ListDialect<F, C>,
  maxResults: number,
): ListRequest<F, C> {
  const filter = text(params, 'filter');
  const where = filter === undefined || filter === '' ? undefined : dialect.parseFilter(filter);
  const sortByRaw = text(params, 'sortBy');
  let sortBy: F | undefined;
  if (sortByRaw !== undefined && sortByRaw !== '') {
    // Own keys only: `sortBy=constructor` must not find Object.prototype.constructor.
    const key = sortByRaw.toLowerCase();
    sortBy = Object.hasOwn(dialect.sortable, key) ? dialect.sortable[key] : undefined;
    if (!sortBy) {
      throw ScimError.badRequest(
        'invalidValue',
        `Cannot sort by "${sortByRaw}"; sortable attributes: ${Object.keys(dialect.sortable).join(', ')}`,
      );
    }
  }
  const sortOrderRaw = (text(params, 'sortOrder') ?? 'ascending').toLowerCase();
  if (sortOrderRaw !== 'ascending' && sortOrderRaw !== 'descending') {
    throw ScimError.badRequest('invalidValue', 'sortOrder must be "ascending" or "descending"');
  }
  const startIndex = Math.max(1, integer(param(params, 'startIndex'), 'startIndex') ?? 1);
  const count = Math.min(maxResults, Math.max(0, integer(param(params, 'count'), 'count') ?? maxResults));
  return {
    query: { where, sortBy, sortOrder: sortOrderRaw, offset: startIndex - 1, limit: count },
    projection: {
      attributes: parseAttributeList(param(params, 'attributes'), 'attributes'),
      excludedAttributes: parseAttributeList(param(params, 'excludedAttributes'), 'excludedAttributes'),
    },
    startIndex,
  };
}

export function listResponse(resources: unknown[], total: number, startIndex: number) {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: total,
    startIndex,
    // Okta expects itemsPerPage to equal the number of Resources returned.
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** Query parameter names are case-insensitive in practice (Okta sends `startIndex`, some send `startindex`). */
function param(params: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(params).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : params[key];
  return Array.isArray(value) && name !== 'attributes' && name !== 'excludedAttributes' ? value[0] : value;
}

/** A parameter that must be a string (a SearchRequest body could send anything). */
function text(params: Record<string, unknown>, name: string): string | undefined {
  const value = param(params, name);
  if (value === undefined || typeof value === 'string') return value;
  throw ScimError.badRequest('invalidValue', `${name} must be a string`);
}

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw ScimError.badRequest('invalidValue', `${name} must be an integer`);
  }
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) throw ScimError.badRequest('invalidValue', `${name} must be an integer`);
  return n;
}
