import type { Condition, ListQuery, Page } from '../../domain/query';
import type { CursorCodec, CursorScope } from './cursor';
import { parseAttributeList, type Projection } from './projection';
import { ScimError } from './scim-error';

/** The list parameters of GET ?… and POST /.search, one shape for both. */
export interface ListRequest<F extends string, C extends string> {
  query: ListQuery<F, C>;
  projection: Projection;
  startIndex: number;
  /** RFC 9865: set (empty for the first page) when the client pages by cursor. */
  cursor?: string;
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
  const cursor = cursorParam(params);
  const startIndexRaw = integer(param(params, 'startIndex'), 'startIndex');
  if (cursor !== undefined && startIndexRaw !== undefined) {
    throw ScimError.badRequest('invalidValue', 'Page either by startIndex or by cursor, not both');
  }
  const startIndex = Math.max(1, startIndexRaw ?? 1);
  const countRaw = integer(param(params, 'count'), 'count');
  if (cursor !== undefined && countRaw !== undefined && countRaw < 1) {
    throw ScimError.badRequest('invalidCount', `count must be a whole number from 1 to ${maxResults}`);
  }
  const count = Math.min(maxResults, Math.max(0, countRaw ?? maxResults));
  return {
    query: { where, sortBy, sortOrder: sortOrderRaw, offset: startIndex - 1, limit: count },
    projection: {
      attributes: parseAttributeList(param(params, 'attributes'), 'attributes'),
      excludedAttributes: parseAttributeList(param(params, 'excludedAttributes'), 'excludedAttributes'),
    },
    startIndex,
    ...(cursor !== undefined ? { cursor } : {}),
  };
}

/** The cursor parameter: absent, or a string (RFC 9865 §2: empty, or a cursor from an answer). */
function cursorParam(params: Record<string, unknown>): string | undefined {
  const value = param(params, 'cursor');
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw ScimError.badRequest('invalidCursor', 'cursor must be a string: empty, or a cursor from an answer');
  }
  return value;
}

/** The scope a list request's cursors are bound to. */
export function cursorScope(
  request: ListRequest<string, string>,
  accountId: string,
  resourceType: CursorScope['resourceType'],
): CursorScope {
  const { where, sortBy, sortOrder } = request.query;
  return { accountId, resourceType, where, sortBy, sortOrder };
}

/** The query to run: the request's own, or, when paging by cursor, a keyset seek from it. */
export function pagedQuery<F extends string, C extends string>(
  request: ListRequest<F, C>,
  scope: CursorScope,
  codec: CursorCodec,
): ListQuery<F, C> {
  if (request.cursor === undefined) return request.query;
  const keyset =
    request.cursor === '' ? { direction: 'forward' as const } : codec.decode(scope, request.cursor);
  return { ...request.query, offset: 0, keyset };
}

/** The ListResponse of a page (RFC 7644 §3.4.2), with RFC 9865's cursors when paging by cursor. */
export function listResponse(
  resources: unknown[],
  total: number,
  startIndex: number,
  cursors?: { nextCursor?: string; previousCursor?: string },
) {
  if (cursors) {
    return {
      schemas: [LIST_RESPONSE_URN],
      totalResults: total,
      itemsPerPage: resources.length,
      ...cursors,
      Resources: resources,
    };
  }
  return {
    schemas: [LIST_RESPONSE_URN],
    totalResults: total,
    startIndex,
    // Okta expects itemsPerPage to equal the number of Resources returned.
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

const LIST_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/**
 * nextCursor unless this is the last page (RFC 9865 §2: its absence says so), previousCursor
 * unless it is the first. A page read forward from a cursor has rows before it; read backward, it
 * has rows after it.
 */
export function cursorsOf(
  page: Page<unknown>,
  query: ListQuery<string, string>,
  scope: CursorScope,
  codec: CursorCodec,
): { nextCursor?: string; previousCursor?: string } {
  const { edges, keyset } = page.edges && query.keyset ? { edges: page.edges, keyset: query.keyset } : {};
  if (!edges || !keyset) return {};
  const forward = keyset.direction === 'forward';
  const hasNext = forward ? edges.more : keyset.from !== undefined;
  const hasPrevious = forward ? keyset.from !== undefined : edges.more;
  const out: { nextCursor?: string; previousCursor?: string } = {};
  if (hasNext && edges.last) out.nextCursor = codec.encode(scope, { direction: 'forward', from: edges.last });
  if (hasPrevious && edges.first) {
    out.previousCursor = codec.encode(scope, { direction: 'backward', from: edges.first });
  }
  return out;
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
