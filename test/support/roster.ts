import request from 'supertest';
import { loadConfig } from '../../src/config/load';
import { compose, type ComposeOverrides, type Roster } from '../../src/composition';
import { createLogger } from '../../src/adapters/http/logger';
import type { Actor } from '../../src/domain/actor';
import type { AccountId } from '../../src/domain/ids';
import { freshDatabase, type TestDatabase } from './database';

export const PUBLIC_URL = 'https://roster.test';
export const SCIM_BASE = `${PUBLIC_URL}/scim/v2`;

export interface TestRoster extends Roster {
  database: TestDatabase;
  stop(): Promise<void>;
}

/** The real server, composed as main.ts does, on a fresh database. */
export async function startRoster(
  env: Record<string, string> = {},
  overrides: ComposeOverrides = {},
): Promise<TestRoster> {
  const database = await freshDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    PUBLIC_URL,
    LOG_LEVEL: 'silent',
    // Suites share one account across many tests that deactivate users; the brake has its own tests.
    SCIM_DEACTIVATION_BRAKE_SHARE: '1',
    // Suites send many refused credentials and requests from one address; the limits have their own tests.
    RATE_LIMIT_AUTH_FAILURES: '0',
    RATE_LIMIT_REQUESTS_PER_TOKEN: '0',
    ...env,
  });
  const roster = await compose(config, { logger: createLogger('silent'), ...overrides });
  return {
    ...roster,
    database,
    stop: async () => {
      await roster.close();
      await database.drop();
    },
  };
}

export interface TestAccount {
  accountId: AccountId;
  ownerId: string;
  token: string;
  operator: Actor;
}

let accountCounter = 0;

export async function createAccount(roster: Roster, name?: string): Promise<TestAccount> {
  accountCounter += 1;
  const { account, owner } = await roster.services.accounts.create('test', {
    name: name ?? `Account ${accountCounter}`,
    ownerEmail: `owner${accountCounter}@example.test`,
  });
  const operator: Actor = { kind: 'operator', accountId: account.id, operator: 'test', channel: 'cli' };
  const { secret } = await roster.services.tokens.issue(operator, 'test');
  return { accountId: account.id, ownerId: owner.id, token: secret, operator };
}

/** A SCIM client for one account: real HTTP through supertest, JSON in and out. */
export function scimClient(roster: Roster, token: string) {
  const agent = request(roster.app);
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' };
  return {
    get: (path: string) => agent.get(`/scim/v2${path}`).set(auth),
    post: (path: string, body: unknown) => agent.post(`/scim/v2${path}`).set(auth).send(JSON.stringify(body)),
    put: (path: string, body: unknown) => agent.put(`/scim/v2${path}`).set(auth).send(JSON.stringify(body)),
    patch: (path: string, body: unknown) =>
      agent.patch(`/scim/v2${path}`).set(auth).send(JSON.stringify(body)),
    delete: (path: string) => agent.delete(`/scim/v2${path}`).set(auth),
  };
}

export type ScimClient = ReturnType<typeof scimClient>;

export function patchOp(...operations: unknown[]) {
  return { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations };
}

export function aUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    active: true,
    ...extra,
  };
}

/** An admin API client for one key (API key or support session): real HTTP through supertest. */
export function apiClient(roster: Roster, key: string) {
  const agent = request(roster.app);
  const auth = { Authorization: `Bearer ${key}` };
  return {
    get: (path: string) => agent.get(`/api/v1${path}`).set(auth),
    post: (path: string, body?: object) => agent.post(`/api/v1${path}`).set(auth).send(body),
    put: (path: string, body: object) => agent.put(`/api/v1${path}`).set(auth).send(body),
    patch: (path: string, body: object) => agent.patch(`/api/v1${path}`).set(auth).send(body),
    delete: (path: string) => agent.delete(`/api/v1${path}`).set(auth),
  };
}
