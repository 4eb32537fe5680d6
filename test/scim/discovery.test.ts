import {
  createAccount,
  scimClient,
  SCIM_BASE,
  startRoster,
  type ScimClient,
  type TestRoster,
} from '../support/roster';
import {
  ENTERPRISE_URN,
  expectList,
  expectScimError,
  GROUP_URN,
  nullPaths,
  ROSTER_URN,
  USER_URN,
  type Json,
} from './scim-helpers';

const SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const RESOURCE_TYPE_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SPC_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const MUTABILITY = ['readOnly', 'readWrite', 'immutable', 'writeOnly'];
const RETURNED = ['always', 'never', 'default', 'request'];

let roster: TestRoster;
let scim: ScimClient;

beforeAll(async () => {
  roster = await startRoster();
  scim = scimClient(roster, (await createAccount(roster)).token);
});
afterAll(() => roster.stop());

/** Every attribute definition in a schema, sub-attributes included, with its dotted name. */
function attributesOf(schema: Json): [string, Json][] {
  const walk = (attrs: Json[], prefix: string): [string, Json][] =>
    attrs.flatMap((attr) => [
      [`${prefix}${attr.name}`, attr] as [string, Json],
      ...walk(attr.subAttributes ?? [], `${prefix}${attr.name}.`),
    ]);
  return walk(schema.attributes, '');
}

describe('GET /ServiceProviderConfig', () => {
  let body: Json;

  beforeAll(async () => {
    const res = await scim.get('/ServiceProviderConfig');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    body = res.body;
  });

  it('advertises exactly what is implemented: patch, filter, sort and etag, but no bulk', () => {
    expect(body.schemas).toEqual([SPC_URN]);
    expect(body.patch).toEqual({ supported: true });
    expect(body.filter).toEqual({ supported: true, maxResults: roster.config.scim.maxResults });
    expect(body.sort).toEqual({ supported: true });
    expect(body.etag).toEqual({ supported: true });
    expect(body.bulk.supported).toBe(false);
    expect(body.bulk.maxPayloadSize).toBe(1_048_576);
    expect(body.changePassword).toEqual({ supported: false });
  });

  it('names the bearer token scheme', () => {
    expect(body.authenticationSchemes).toEqual([
      expect.objectContaining({
        type: 'oauthbearertoken',
        name: expect.any(String),
        description: expect.any(String),
      }),
    ]);
  });

  it('has a meta.location and no nulls anywhere', () => {
    expect(body.meta).toMatchObject({
      resourceType: 'ServiceProviderConfig',
      location: `${SCIM_BASE}/ServiceProviderConfig`,
    });
    expect(nullPaths(body)).toEqual([]);
  });
});

describe('GET /Schemas', () => {
  let body: Json;
  let byId: Map<string, Json>;

  beforeAll(async () => {
    body = expectList(await scim.get('/Schemas'));
    byId = new Map((body.Resources as Json[]).map((s) => [s.id as string, s]));
  });

  it('is a ListResponse holding User, Group, the enterprise extension and the Roster extension', () => {
    expect(body.totalResults).toBe(body.Resources.length);
    expect([...byId.keys()].sort()).toEqual([USER_URN, GROUP_URN, ENTERPRISE_URN, ROSTER_URN].sort());
    for (const schema of body.Resources as Json[]) {
      expect(schema).toMatchObject({
        schemas: [SCHEMA_URN],
        id: expect.any(String),
        name: expect.any(String),
        attributes: expect.any(Array),
        meta: { resourceType: 'Schema', location: `${SCIM_BASE}/Schemas/${schema.id}` },
      });
    }
  });

  it('has no null value anywhere in the JSON', () => {
    expect(nullPaths(body)).toEqual([]);
  });

  it('describes every attribute in RFC 7643 §7 camelCase: mutability, returned, multiValued, required', () => {
    for (const schema of body.Resources as Json[]) {
      for (const [name, attr] of attributesOf(schema)) {
        const described = { schema: schema.id, name, attr };
        expect(described).toMatchObject({
          attr: {
            name: expect.any(String),
            type: expect.any(String),
            multiValued: expect.any(Boolean),
            required: expect.any(Boolean),
            mutability: expect.any(String),
            returned: expect.any(String),
          },
        });
        expect(MUTABILITY).toContain(attr.mutability);
        expect(RETURNED).toContain(attr.returned);
        expect(attr).not.toHaveProperty('config');
        expect(attr).not.toHaveProperty('mutable');
      }
    }
  });

  it('describes userName as required, unique and case-insensitive', () => {
    const userName = attributesOf(byId.get(USER_URN)!).find(([name]) => name === 'userName')![1];
    expect(userName).toMatchObject({
      type: 'string',
      required: true,
      caseExact: false,
      uniqueness: 'server',
      mutability: 'readWrite',
    });
  });

  it('describes password as write-only and never returned, groups as read-only', () => {
    const attrs = new Map(attributesOf(byId.get(USER_URN)!));
    expect(attrs.get('password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(attrs.get('groups')).toMatchObject({ mutability: 'readOnly', multiValued: true });
  });

  it('describes the enterprise manager and the Group members', () => {
    const enterprise = new Map(attributesOf(byId.get(ENTERPRISE_URN)!));
    expect(enterprise.get('manager')).toMatchObject({ type: 'complex', multiValued: false });
    expect(enterprise.get('manager.value')).toMatchObject({ type: 'string' });
    expect(enterprise.get('employeeNumber')).toMatchObject({ type: 'string', mutability: 'readWrite' });

    const group = new Map(attributesOf(byId.get(GROUP_URN)!));
    expect(group.get('displayName')).toMatchObject({ type: 'string' });
    expect(group.get('members')).toMatchObject({ type: 'complex', multiValued: true });
    expect(group.get('members.value')).toBeDefined();
  });
});

describe('GET /Schemas/{urn}', () => {
  it.each([USER_URN, GROUP_URN, ENTERPRISE_URN, ROSTER_URN])('returns %s on its own', async (urn) => {
    const res = await scim.get(`/Schemas/${urn}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({ schemas: [SCHEMA_URN], id: urn, attributes: expect.any(Array) });
    expect(nullPaths(res.body)).toEqual([]);
    const fromList = (await scim.get('/Schemas')).body.Resources.find((s: Json) => s.id === urn);
    expect(res.body).toEqual(fromList);
  });

  it('answers an unknown schema with a 404 SCIM error', async () => {
    expectScimError(await scim.get('/Schemas/urn:example:nope'), 404);
  });
});

describe('GET /ResourceTypes', () => {
  const userType = {
    schemas: [RESOURCE_TYPE_URN],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    schema: USER_URN,
    meta: { resourceType: 'ResourceType', location: `${SCIM_BASE}/ResourceTypes/User` },
  };
  const groupType = {
    schemas: [RESOURCE_TYPE_URN],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    schema: GROUP_URN,
    meta: { resourceType: 'ResourceType', location: `${SCIM_BASE}/ResourceTypes/Group` },
  };

  it('lists User and Group, without nulls', async () => {
    const body = expectList(await scim.get('/ResourceTypes'));
    expect(body.totalResults).toBe(2);
    expect(body.Resources).toEqual(
      expect.arrayContaining([expect.objectContaining(userType), expect.objectContaining(groupType)]),
    );
    expect(nullPaths(body)).toEqual([]);
  });

  it('returns User with both schema extensions, neither required', async () => {
    const res = await scim.get('/ResourceTypes/User');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject(userType);
    expect(res.body.schemaExtensions).toEqual(
      expect.arrayContaining([
        { schema: ENTERPRISE_URN, required: false },
        { schema: ROSTER_URN, required: false },
      ]),
    );
    expect(res.body.schemaExtensions).toHaveLength(2);
    expect(nullPaths(res.body)).toEqual([]);
  });

  it('returns Group', async () => {
    const res = await scim.get('/ResourceTypes/Group');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(groupType);
  });

  it('names only schemas that /Schemas describes', async () => {
    const described = new Set((await scim.get('/Schemas')).body.Resources.map((s: Json) => s.id));
    const types = (await scim.get('/ResourceTypes')).body.Resources as Json[];
    for (const type of types) {
      expect(described).toContain(type.schema);
      for (const ext of type.schemaExtensions ?? []) expect(described).toContain(ext.schema);
    }
  });

  it('answers an unknown resource type with a 404 SCIM error', async () => {
    expectScimError(await scim.get('/ResourceTypes/Printer'), 404);
  });
});
