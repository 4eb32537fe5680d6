/**
 * A seeded generator of hostile HTTP requests across SCIM and /api/v1: prototype keys, broken
 * percent-encoding, deep JSON, wrong types, long and look-alike strings, odd filters and headers.
 * The same seed gives the same requests, so a failure can be replayed.
 */

export interface HostileRequest {
  /** The class of hostility and where it was put, for the failure message. */
  label: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The raw path and query, sent as is (no re-encoding). */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** What the requests may name: real ids, so that hostile input reaches past the 404s. */
export interface HostileTargets {
  scimToken: string;
  apiKey: string;
  userId: string;
  groupId: string;
  mappingId: string;
  childId: string;
  accountId: string;
}

/** mulberry32: small, fast, and the same sequence on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

export const prototypeKeys = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
] as const;

const badEncodings = ['%ff', '%', '%zz', '%c0%af', '%e0%80', '%ed%a0%80', '%f4%90%80%80', 'a%', '%u0041'];

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Strings that have broken servers: long, expanding under lowercasing, look-alikes, controls. */
function hostileString(random: Random): string {
  return pick(random, [
    () => 'x'.repeat(pick(random, [256, 300, 1000, 5000])),
    () => '\u0130'.repeat(pick(random, [128, 200, 255])), // İ lowercases to two code units
    () => '\u{1F600}'.repeat(pick(random, [128, 200, 300])),
    () => '\u212Aate', // KELVIN SIGN
    () => 'x\u0000y',
    () => '\ud800',
    () => 'trailing  ',
    () => '  ',
    () => '',
    () => '\u202Egnp.exe',
    () => '"; DROP TABLE users; --',
    () => '%ff',
    () => '\\',
  ])();
}

/** A value of some other type than expected, sometimes large. */
function wrongValue(random: Random): unknown {
  return pick(random, [
    () => ({ nested: { deeper: 'x' } }),
    () => ['a', 'b'],
    () => 12345,
    () => true,
    () => null,
    () => [[[[]]]],
    () => 'y'.repeat(pick(random, [1000, 100_000])),
    () => hostileString(random),
    () => ({ value: { value: 'x' } }),
    () => Object.fromEntries(prototypeKeys.map((k) => [k, 'x'])),
  ])();
}

function deepJson(random: Random): string {
  const depth = pick(random, [200, 2_000, 20_000, 50_000]);
  return pick(random, [
    () => '['.repeat(depth) + ']'.repeat(depth),
    () => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
    () =>
      `{"schemas":["${USER}"],"userName":"deep","name":` +
      '{"a":'.repeat(depth) +
      '1' +
      '}'.repeat(depth + 1),
    () =>
      `{"schemas":["${PATCH}"],"Operations":[{"op":"add","value":` +
      '['.repeat(depth) +
      ']'.repeat(depth) +
      '}]}',
  ])();
}

/** JSON text with a prototype key written literally (JSON.stringify would never emit __proto__ as own). */
function protoJson(random: Random, base: Record<string, unknown>): string {
  const key = pick(random, prototypeKeys);
  const inner = JSON.stringify(pick(random, [{ polluted: true }, 'x', 1, [1], null]));
  const text = JSON.stringify(base);
  return pick(random, [
    () => `{"${key}":${inner},` + text.slice(1),
    () => text.slice(0, -1) + `,"${key}":${inner}}`,
    () => text.slice(0, -1) + `,"${ENTERPRISE}":{"${key}":${inner}}}`,
    () => text.slice(0, -1) + `,"name":{"${key}":${inner}}}`,
  ])();
}

function aUserBody(random: Random): Record<string, unknown> {
  const n = Math.floor(random() * 1e9);
  return {
    schemas: [USER],
    userName: `fuzz${n}@example.test`,
    name: { givenName: 'Fuzz', familyName: 'User' },
    emails: [{ value: `fuzz${n}@example.test`, primary: true, type: 'work' }],
  };
}

const userAttributes = [
  'userName',
  'displayName',
  'nickName',
  'title',
  'externalId',
  'profileUrl',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'active',
  'name',
  'emails',
  'phoneNumbers',
  'addresses',
  'roles',
  ENTERPRISE,
  'urn:roster:params:scim:schemas:extension:2.0:User',
  'schemas',
  'groups',
  'password',
];

function wrongTypedUser(random: Random): Record<string, unknown> {
  const attr = pick(random, userAttributes);
  const body = aUserBody(random);
  body[attr] = wrongValue(random);
  return body;
}

function longUser(random: Random): Record<string, unknown> {
  const body = aUserBody(random);
  const s = hostileString(random);
  pick(random, [
    () => (body.title = s),
    () => (body.displayName = s),
    () => (body.nickName = s),
    () => (body.externalId = s),
    () => (body.userName = s),
    () => (body.name = { givenName: s, familyName: s }),
    () => (body.emails = [{ value: s, primary: true }]),
    () => (body.emails = [{ value: 'a@example.test', type: s, primary: true }]),
    () => (body[ENTERPRISE] = { employeeNumber: s, department: s }),
  ])();
  return body;
}

/** encodeURIComponent, except that a lone surrogate becomes the bytes a careless client sends for it. */
function percentEncoded(text: string): string {
  return text
    .split(/(\p{Surrogate})/u)
    .map((part) => (/^\p{Surrogate}$/u.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

function filterFor(random: Random): string {
  const key = pick(random, prototypeKeys);
  return pick(random, [
    () => `${key} eq "x"`,
    () => `${key} pr`,
    () => `emails[${key} eq "x"]`,
    () => `${key}.value eq "x"`,
    () => `name.${key} eq "x"`,
    () => `userName eq "${hostileString(random).replace(/["\\]/g, '')}"`,
    () => `userName eq "a\\"b\\\\c"`,
    () => '('.repeat(5000) + 'userName pr' + ')'.repeat(5000),
    () => Array.from({ length: 2000 }, (_, i) => `userName eq "u${i}"`).join(' or '),
    () => 'not ('.repeat(3000) + 'userName pr' + ')'.repeat(3000),
    () => 'emails['.repeat(500) + 'value pr' + ']'.repeat(500),
    () => `userName eq "${'a'.repeat(100_000)}"`,
    () => `meta.lastModified gt "${'9'.repeat(400)}"`,
    () => `nickName eq "x"`,
    () => `title co "x"`,
    () => `userName eq "x"]]]]`,
    () => `userName eq "\\ud800"`,
    () => `userName eq "\\u0000"`,
    () => `userName eq 1e400`,
  ])();
}

function query(random: Random): string {
  const key = pick(random, prototypeKeys);
  return pick(random, [
    () => `sortBy=${key}`,
    () => `sortBy=${key}&sortOrder=${key}`,
    () => `attributes=${key}`,
    () => `excludedAttributes=${key}`,
    () => `${key}=1`,
    () => `${key}[${key}]=1`,
    () => `filter=${percentEncoded(filterFor(random))}`,
    () => `filter=${pick(random, badEncodings)}`,
    () => `sortBy=${pick(random, badEncodings)}`,
    () => `count=${pick(random, ['1e400', '-1', '99999999999999999999', 'NaN', '0x10', '1.5', ''])}`,
    () => `startIndex=${pick(random, ['1e400', '-5', '99999999999999999999', 'abc'])}`,
    () => `count=1&count=2&startIndex=1&startIndex=x`,
    () => `attributes=${'a,'.repeat(5000)}`,
  ])();
}

function patchBody(random: Random): string {
  const key = pick(random, prototypeKeys);
  const op = pick(random, ['add', 'replace', 'remove', 'Replace', key]);
  const operation = pick(random, [
    () => ({ op, path: key, value: 'x' }),
    () => ({ op, path: `${key}.value`, value: 'x' }),
    () => ({ op, path: `emails[${key} eq "x"].value`, value: 'x' }),
    () => ({ op, path: `name.${key}`, value: 'x' }),
    () => ({ op, path: `${ENTERPRISE}:${key}`, value: 'x' }),
    () => ({ op, value: Object.fromEntries([[key, 'x']]) }),
    () => ({
      op,
      path: 'emails',
      value: [
        { value: 'a@x.test', primary: true },
        { value: 'b@x.test', primary: true },
      ],
    }),
    () => ({ op, path: 'emails[type eq "nope"]', value: 'x' }),
    () => ({ op, path: pick(random, userAttributes), value: wrongValue(random) }),
    () => ({ op, path: 'title', value: hostileString(random) }),
    () => ({ op, path: 'members', value: wrongValue(random) }),
    () => ({ op, path: 'displayName', value: wrongValue(random) }),
    () => ({ op, path: 'externalId', value: hostileString(random) }),
    () => ({ op, path: pick(random, badEncodings), value: 'x' }),
  ])();
  const envelope = { schemas: [PATCH], Operations: [operation] };
  return pick(random, [
    () => JSON.stringify(envelope),
    () => JSON.stringify({ schemas: [PATCH], Operations: wrongValue(random) }),
    () => JSON.stringify({ ...envelope, schemas: wrongValue(random) }),
    () => protoJson(random, envelope),
  ])();
}

function groupBody(random: Random): string {
  const base: Record<string, unknown> = { schemas: [GROUP], displayName: `g${Math.floor(random() * 1e9)}` };
  pick(random, [
    () => (base.displayName = hostileString(random)),
    () => (base.externalId = hostileString(random)),
    () => (base.displayName = wrongValue(random)),
    () => (base.externalId = wrongValue(random)),
    () => (base.members = wrongValue(random)),
    () => (base.members = [{ value: wrongValue(random) }]),
    () => (base.schemas = ['urn:example:unknown:2.0:Group']),
  ])();
  return pick(random, [() => JSON.stringify(base), () => protoJson(random, base)])();
}

const apiBodies = (random: Random): Record<string, unknown>[] => [
  { name: hostileString(random) },
  { name: wrongValue(random) },
  { group: { by: 'displayName', value: hostileString(random) }, role: 'admin' },
  { group: { by: pick(random, prototypeKeys), value: 'x' }, role: pick(random, prototypeKeys) },
  { role: pick(random, prototypeKeys) },
  { role: hostileString(random) },
  { mode: 'role', granted: [pick(random, prototypeKeys)], restricted: [] },
  { user: pick(random, prototypeKeys), permission: pick(random, prototypeKeys) },
  { user: hostileString(random), permission: 'users.view' },
  { email: hostileString(random), role: pick(random, prototypeKeys) },
  { email: `x${Math.floor(random() * 1e9)}@example.test`, givenName: hostileString(random) },
  { roles: [pick(random, prototypeKeys)], acceptedAuthnMethods: [hostileString(random)] },
  { access: true, role: pick(random, prototypeKeys) },
  { to: pick(random, prototypeKeys) },
  { days: pick(random, [1, 7, '7', 1e400]) },
  { metadataXml: '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;</x>' },
  { idleMinutes: wrongValue(random), absoluteMinutes: 10 },
];

function apiRequest(random: Random, t: HostileTargets): HostileRequest {
  const id = pick(random, [
    ...prototypeKeys,
    ...badEncodings,
    t.userId,
    'x'.repeat(1000),
    '%2e%2e',
    '\u212A',
  ]);
  const routes: [HostileRequest['method'], string][] = [
    ['GET', `/api/v1/members/${id}`],
    ['GET', `/api/v1/members/${id}/access`],
    ['PUT', `/api/v1/members/${id}/role`],
    ['PUT', `/api/v1/members/${id}/permissions`],
    ['PUT', `/api/v1/members/${id}/mfa`],
    ['PUT', `/api/v1/members/${t.userId}/access/${id}`],
    ['PUT', `/api/v1/members/${t.userId}/access/${t.childId}`],
    ['DELETE', `/api/v1/members/${id}/totp`],
    ['GET', `/api/v1/mappings/${id}`],
    ['PUT', `/api/v1/mappings/${id}`],
    ['POST', '/api/v1/mappings'],
    ['POST', '/api/v1/children'],
    ['POST', '/api/v1/authorize'],
    ['POST', '/api/v1/invitations'],
    ['POST', `/api/v1/invitations/${id}/resend`],
    ['POST', '/api/v1/invitations/accept'],
    ['PUT', '/api/v1/mfa-policy'],
    ['PUT', '/api/v1/account/default-role'],
    ['POST', '/api/v1/account/ownership-transfer'],
    ['DELETE', `/api/v1/support-access/${id}`],
    ['PUT', '/api/v1/sso/session-lifetimes'],
    ['PUT', '/api/v1/sso'],
    ['GET', `/api/v1/members?${query(random)}`],
    ['GET', `/api/v1/audit?${query(random)}`],
    ['GET', `/api/v1/audit?actor=${pick(random, badEncodings)}&subject=${pick(random, prototypeKeys)}`],
    ['GET', `/api/v1/access-review?format=${pick(random, prototypeKeys)}`],
  ];
  const [method, path] = pick(random, routes);
  const headers: Record<string, string> = { Authorization: `Bearer ${t.apiKey}` };
  if (method === 'GET' || method === 'DELETE')
    return { label: `api ${method} ${path}`, method, path, headers };
  headers['Content-Type'] = 'application/json';
  const body = pick(random, [
    () => JSON.stringify(pick(random, apiBodies(random))),
    () => protoJson(random, pick(random, apiBodies(random))),
    () => deepJson(random),
    () => JSON.stringify(wrongValue(random)),
  ])();
  return { label: `api ${method} ${path}`, method, path, headers, body };
}

function scimRequest(random: Random, t: HostileTargets): HostileRequest {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${t.scimToken}`,
    'Content-Type': 'application/scim+json',
  };
  const badId = pick(random, [...prototypeKeys, ...badEncodings, 'x'.repeat(2000), '%2F..%2F', '\u212A']);
  const resource = pick(random, ['Users', 'Groups']);
  const realId = resource === 'Users' ? t.userId : t.groupId;
  const ifMatch = pick(random, [
    undefined,
    'W/"1", W/"2", W/"3", W/"4", W/"5", W/"6", W/"7", W/"8"',
    '*',
    'W/"99999999999999999999999"',
    '"' + 'x'.repeat(5000) + '"',
    'W/"-1"',
  ]);
  if (ifMatch !== undefined) headers['If-Match'] = ifMatch;
  const request = pick(random, [
    (): HostileRequest => ({
      label: 'scim get bad id',
      method: 'GET',
      path: `/scim/v2/${resource}/${badId}`,
      headers,
    }),
    (): HostileRequest => ({
      label: 'scim delete bad id',
      method: 'DELETE',
      path: `/scim/v2/${resource}/${badId}`,
      headers,
    }),
    (): HostileRequest => ({
      label: 'scim list query',
      method: 'GET',
      path: `/scim/v2/${resource}?${query(random)}`,
      headers,
    }),
    (): HostileRequest => ({
      label: 'scim get query',
      method: 'GET',
      path: `/scim/v2/${resource}/${realId}?${query(random)}`,
      headers,
    }),
    (): HostileRequest => ({
      label: 'scim .search',
      method: 'POST',
      path: `/scim/v2/${resource}/.search`,
      headers,
      body: pick(random, [
        () => JSON.stringify({ filter: filterFor(random), sortBy: pick(random, prototypeKeys) }),
        () =>
          JSON.stringify({
            filter: wrongValue(random),
            count: wrongValue(random),
            attributes: wrongValue(random),
          }),
        () => protoJson(random, { filter: 'userName pr' }),
        () => deepJson(random),
      ])(),
    }),
    (): HostileRequest => ({
      label: 'scim post user',
      method: 'POST',
      path: '/scim/v2/Users',
      headers,
      body: pick(random, [
        () => JSON.stringify(wrongTypedUser(random)),
        () => JSON.stringify(longUser(random)),
        () => protoJson(random, aUserBody(random)),
        () => deepJson(random),
        () => JSON.stringify({ ...aUserBody(random), schemas: [USER, 'urn:example:unknown:2.0:User'] }),
        () =>
          JSON.stringify({
            ...aUserBody(random),
            emails: [
              { value: 'p1@example.test', primary: true },
              { value: 'p2@example.test', primary: true },
            ],
          }),
      ])(),
    }),
    (): HostileRequest => ({
      label: 'scim put user',
      method: 'PUT',
      path: `/scim/v2/Users/${pick(random, [t.userId, badId])}`,
      headers,
      body: pick(random, [
        () => JSON.stringify(wrongTypedUser(random)),
        () => JSON.stringify(longUser(random)),
      ])(),
    }),
    (): HostileRequest => ({
      label: 'scim patch',
      method: 'PATCH',
      path: `/scim/v2/${resource}/${pick(random, [realId, realId, badId])}`,
      headers,
      body: patchBody(random),
    }),
    (): HostileRequest => ({
      label: 'scim post group',
      method: 'POST',
      path: '/scim/v2/Groups',
      headers,
      body: groupBody(random),
    }),
    (): HostileRequest => ({
      label: 'scim put group',
      method: 'PUT',
      path: `/scim/v2/Groups/${t.groupId}`,
      headers,
      body: groupBody(random),
    }),
    (): HostileRequest => ({
      label: 'scim discovery',
      method: pick(random, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const),
      path: `/scim/v2/${pick(random, ['Schemas', 'ResourceTypes', 'ServiceProviderConfig'])}/${pick(random, [...prototypeKeys, ...badEncodings])}`,
      headers,
      body: '{}',
    }),
  ])();
  return request;
}

function ssoRequest(random: Random, t: HostileTargets): HostileRequest {
  const segment = pick(random, [t.accountId, ...badEncodings, ...prototypeKeys]);
  const tail = pick(random, ['metadata', 'login', 'home', 'signed-out', 'acs']);
  const method = tail === 'acs' ? 'POST' : 'GET';
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const xml = pick(random, [
    '<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>',
    '<a>'.repeat(20_000) + '</a>'.repeat(20_000),
    '',
    'not xml at all',
  ]);
  const body = `SAMLResponse=${encodeURIComponent(Buffer.from(xml).toString('base64'))}&RelayState=${pick(random, badEncodings)}`;
  const query =
    tail === 'login' ? `?RelayState=${pick(random, [...badEncodings, '//evil.test', '/\\evil'])}` : '';
  return {
    label: `sso ${method} ${tail}`,
    method,
    path: `/sso/${segment}/${tail}${query}`,
    headers,
    ...(method === 'POST' ? { body } : {}),
  };
}

/** `count` hostile requests from `seed`. */
export function hostileRequests(seed: number, count: number, targets: HostileTargets): HostileRequest[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const roll = random();
    if (roll < 0.55) return scimRequest(random, targets);
    if (roll < 0.9) return apiRequest(random, targets);
    return ssoRequest(random, targets);
  });
}
