import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startRoster, type TestRoster } from '../support/roster';

/**
 * docs/admin-api.md is where a reader looks for a route: it must list every route the OpenAPI
 * document describes, so a new route cannot ship without its line there.
 */
let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

test('docs/admin-api.md lists every route of the OpenAPI document', async () => {
  const doc = (await request(roster.app).get('/api/v1/openapi.json').expect(200)).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
  );
  const page = readFileSync(join(__dirname, '..', '..', 'docs', 'admin-api.md'), 'utf8');
  const listed = new Set([...page.matchAll(/^\| `([A-Z]+ \/[^`]*)` +\|/gm)].map((m) => m[1]));
  expect(routes.length).toBeGreaterThan(40);
  expect(routes.filter((route) => !listed.has(route))).toEqual([]);
  expect([...listed].filter((route) => !routes.includes(route))).toEqual([]);
});
