/**
 * A seeded generator of hostile HTTP requests across SCIM and /api/v1: prototype keys, broken
 * percent-encoding, deep JSON, wrong types, long and look-alike strings, odd filters and headers.
 * The same seed gives the same requests, so a failure can be replayed.
 */

import {
  aUserBody,
  badEncodings,
  deepJson,
  filterFor,
  groupBody,
  hostileString,
  longUser,
  patchBody,
  pick,
  protoJson,
  prototypeKeys,
  query,
  seededRandom,
  USER,
  wrongTypedUser,
  wrongValue,
  type Random,
} from './hostile-values';

export { seededRandom } from './hostile-values';

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
