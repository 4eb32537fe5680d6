/** Branded ids so that an account id can never be passed where a user id is expected (R7). */
export type AccountId = string & { readonly __brand: 'AccountId' };
export type UserId = string & { readonly __brand: 'UserId' };
export type GroupId = string & { readonly __brand: 'GroupId' };
export type ScimTokenId = string & { readonly __brand: 'ScimTokenId' };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a row, so callers answer "not found" without a query. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
