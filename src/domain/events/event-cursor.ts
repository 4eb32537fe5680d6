import { DomainError } from '../errors';

const prefix = 'ev1_';

/**
 * The feed's cursor as clients see it: opaque, so its meaning (a position today) can change
 * without breaking them. It names no account: each read is limited to the reader's account anyway.
 */
export function encodeCursor(position: number): string {
  return prefix + Buffer.from(`p:${position}`).toString('base64url');
}

/** The position a cursor stands for; a cursor Roster did not issue is a 400. */
export function decodeCursor(cursor: string): number {
  const text = cursor.startsWith(prefix)
    ? Buffer.from(cursor.slice(prefix.length), 'base64url').toString()
    : '';
  const match = /^p:(0|[1-9]\d{0,15})$/.exec(text);
  const position = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(position)) {
    throw DomainError.invalid(
      'events.cursor_invalid',
      'after must be a cursor returned by this feed (nextCursor)',
    );
  }
  return position;
}
