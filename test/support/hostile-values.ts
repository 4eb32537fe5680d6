/**
 * The hostile values of the fuzz run: a seeded random source, and strings, types, JSON, filters,
 * queries and bodies that have broken servers. hostile-requests.ts puts them into requests.
 */
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

export type Random = () => number;
export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

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

export const badEncodings = [
  '%ff',
  '%',
  '%zz',
  '%c0%af',
  '%e0%80',
  '%ed%a0%80',
  '%f4%90%80%80',
  'a%',
  '%u0041',
];

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Strings that have broken servers: long, expanding under lowercasing, look-alikes, controls. */
export function hostileString(random: Random): string {
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
export function wrongValue(random: Random): unknown {
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

export function deepJson(random: Random): string {
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
export function protoJson(random: Random, base: Record<string, unknown>): string {
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

export function aUserBody(random: Random): Record<string, unknown> {
  const n = Math.floor(random() * 1e9);
  return {
    schemas: [USER],
    userName: `fuzz${n}@example.test`,
    name: { givenName: 'Fuzz', familyName: 'User' },
    emails: [{ value: `fuzz${n}@example.test`, primary: true, type: 'work' }],
  };
}

export const userAttributes = [
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

export function wrongTypedUser(random: Random): Record<string, unknown> {
  const attr = pick(random, userAttributes);
  const body = aUserBody(random);
  body[attr] = wrongValue(random);
  return body;
}

export function longUser(random: Random): Record<string, unknown> {
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

export function filterFor(random: Random): string {
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

export function query(random: Random): string {
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

export function patchBody(random: Random): string {
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

export function groupBody(random: Random): string {
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
