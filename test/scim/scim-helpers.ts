import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import type { AccountId } from '../../src/domain/ids';
import type { AuditEvent } from '../../src/domain/audit/events';
import type { TestRoster, ScimClient } from '../support/roster';

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const ROSTER_URN = 'urn:roster:params:scim:schemas:extension:2.0:User';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_URN = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A name no other test in the file uses, so tests can run in any order on one database. */
export function unique(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

export function uniqueEmail(prefix: string): string {
  return `${unique(prefix)}@example.test`;
}

/** Asserts an RFC 7644 §3.12 error response and returns its body. */
export function expectScimError(res: Response, status: number, scimType?: string): Json {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status: String(status) } });
  expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(res.body.schemas).toEqual([ERROR_URN]);
  expect(typeof res.body.detail).toBe('string');
  if (scimType === undefined) expect(res.body).not.toHaveProperty('scimType');
  else expect(res.body.scimType).toBe(scimType);
  return res.body as Json;
}

/** Asserts a ListResponse and returns it. */
export function expectList(res: Response): Json {
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(res.body.schemas).toEqual([LIST_URN]);
  expect(Number.isInteger(res.body.totalResults)).toBe(true);
  expect(Number.isInteger(res.body.startIndex)).toBe(true);
  expect(res.body.itemsPerPage).toBe(res.body.Resources.length);
  return res.body as Json;
}

export async function createUser(client: ScimClient, body: Json): Promise<Json> {
  const res = await client.post('/Users', body);
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
  return res.body as Json;
}

export async function createGroup(client: ScimClient, displayName: string, memberIds: string[] = []) {
  const res = await client.post('/Groups', {
    schemas: [GROUP_URN],
    displayName,
    members: memberIds.map((value) => ({ value })),
  });
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
  return res.body as Json;
}

export async function getUser(client: ScimClient, id: string): Promise<Json> {
  const res = await client.get(`/Users/${id}`);
  expect(res.status).toBe(200);
  return res.body as Json;
}

export async function getGroup(client: ScimClient, id: string): Promise<Json> {
  const res = await client.get(`/Groups/${id}`);
  expect(res.status).toBe(200);
  return res.body as Json;
}

/** The member ids of a group as a GET shows them, sorted. */
export async function memberIdsOf(client: ScimClient, groupId: string): Promise<string[]> {
  const group = await getGroup(client, groupId);
  return ((group.members ?? []) as Json[]).map((m) => m.value as string).sort();
}

export async function listUsers(client: ScimClient, filter: string): Promise<Json[]> {
  const res = await client.get(`/Users?filter=${encodeURIComponent(filter)}`);
  return expectList(res).Resources as Json[];
}

export async function listGroups(client: ScimClient, filter: string): Promise<Json[]> {
  const res = await client.get(`/Groups?filter=${encodeURIComponent(filter)}`);
  return expectList(res).Resources as Json[];
}

export async function auditEvents(roster: TestRoster, accountId: AccountId): Promise<AuditEvent[]> {
  return roster.uow.read((tx) => tx.audit.list(accountId, { limit: 1000 }));
}

/** True when a JSON value holds a null anywhere. */
export function nullPaths(value: unknown, path = '$'): string[] {
  if (value === null) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nullPaths(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => nullPaths(v, `${path}.${k}`));
  }
  return [];
}

export function sorted(ids: string[]): string[] {
  return [...ids].sort();
}
