import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FieldValue, RowKey } from '../../domain/query';
import { ScimError } from './scim-error';

/** What a cursor is valid for: one account's list of one resource type, with one filter and sort. */
export interface CursorScope {
  accountId: string;
  resourceType: 'Users' | 'Groups';
  /** The parsed filter (its canonical form), so that spacing or case of operators does not matter. */
  where: unknown;
  sortBy: string | undefined;
  sortOrder: string;
}

export interface CursorPosition {
  direction: 'forward' | 'backward';
  from: RowKey;
}

/** Longer cursors are refused before any decoding (the longest Roster issues is about 500). */
const maxCursorLength = 1024;
const macBytes = 16;

/**
 * RFC 9865 cursors. Opaque to clients: base64url of a row key and a direction, then a MAC over it
 * and the scope (HMAC-SHA256 with the server's key, cut to 128 bits). A cursor that was altered,
 * made up, or issued for another account, resource type, filter or sort fails the MAC and gets
 * 400 invalidCursor; the key is never looked up in the database on the way. Only characters of
 * RFC 3986's unreserved set are used (letters, digits, `-`, `_`, `.`).
 */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(scope: CursorScope, position: CursorPosition): string {
    const body = Buffer.from(
      JSON.stringify([position.direction === 'forward' ? 'f' : 'b', position.from.sort, position.from.id]),
    ).toString('base64url');
    return `${body}.${this.mac(scope, body).toString('base64url')}`;
  }

  decode(scope: CursorScope, cursor: string): CursorPosition {
    const dot = cursor.indexOf('.');
    if (cursor.length > maxCursorLength || dot < 1 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(cursor)) {
      throw invalidCursor();
    }
    const body = cursor.slice(0, dot);
    const mac = Buffer.from(cursor.slice(dot + 1), 'base64url');
    const expected = this.mac(scope, body);
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw invalidCursor();
    const [direction, sort, id] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [
      string,
      FieldValue,
      string,
    ];
    return { direction: direction === 'f' ? 'forward' : 'backward', from: { sort, id } };
  }

  private mac(scope: CursorScope, body: string): Buffer {
    const scopeText = JSON.stringify([
      scope.accountId,
      scope.resourceType,
      scope.where ?? null,
      scope.sortBy ?? null,
      scope.sortOrder,
    ]);
    return createHmac('sha256', this.key)
      .update(scopeText)
      .update('\n')
      .update(body)
      .digest()
      .subarray(0, macBytes);
  }
}

function invalidCursor(): ScimError {
  return ScimError.badRequest(
    'invalidCursor',
    'The cursor is not one this server issued for this query; send an empty cursor for the first page, ' +
      'then the nextCursor or previousCursor of the previous answer with the same filter and sort',
  );
}
