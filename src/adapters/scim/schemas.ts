import SCIMMY from 'scimmy';
import { withoutNulls } from './json';
import { ENTERPRISE_URN, GROUP_URN, ROSTER_URN, USER_URN } from './urns';

export * from './urns';

function readOnly(name: string, description: string, canonicalValues?: string[]) {
  return new SCIMMY.Types.Attribute('string', name, {
    mutable: false,
    description,
    ...(canonicalValues ? { canonicalValues } : {}),
  });
}

function rosterExtension(): InstanceType<typeof SCIMMY.Types.SchemaDefinition> {
  // scimmy only accepts urn:ietf:params:scim:schemas:* ids at construction; the issue names ours.
  const definition = new SCIMMY.Types.SchemaDefinition(
    'RosterUser',
    'urn:ietf:params:scim:schemas:extension:roster:2.0:User',
    "Roster: the user's role and where it comes from, and MFA enforcement (read-only: Roster decides them), and the user's own MFA flag (readWrite)",
    [
      readOnly('role', 'The name of the effective role, or "none"'),
      readOnly('roleKey', 'The key of the effective role in the role catalogue'),
      readOnly('roleSource', 'Where the role comes from: owner, group, manual or default', [
        'owner',
        'group',
        'manual',
        'default',
      ]),
      readOnly('roleGroup', 'The IdP group whose mapping gives the role, when roleSource is group'),
      new SCIMMY.Types.Attribute('boolean', 'mfaRequired', {
        description:
          "The user's own MFA flag: true requires MFA at sign-in; the account's and role's flags apply as well (the strictest wins)",
      }),
      new SCIMMY.Types.Attribute('boolean', 'mfaEnforced', {
        mutable: false,
        description: 'Whether the user must prove MFA at sign-in, from the account, role and user flags',
      }),
      readOnly('mfaRequiredBy', 'Which flag requires MFA, when mfaEnforced is true', [
        'account',
        'role',
        'user',
      ]),
    ],
  );
  definition.id = ROSTER_URN;
  return definition;
}

const roster = rosterExtension();
let declared = false;

// scimmy's generated .d.ts types extend() too narrowly; at run time it takes a schema class or definition.
type Extendable = Parameters<typeof SCIMMY.Schemas.User.extend>[0];

/** scimmy's schema registry is process-wide; extend the User schema once. */
export function declareSchemas(): void {
  if (declared) return;
  SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser as unknown as Extendable, false);
  SCIMMY.Schemas.User.extend(roster as unknown as Extendable, false);
  declared = true;
}

type Described = Record<string, unknown> & { id: string };

/** The /Schemas resources, described by scimmy (camelCase, no nulls). */
export function schemaResources(baseUrl: string): Described[] {
  declareSchemas();
  const definitions = [
    SCIMMY.Schemas.User.definition,
    SCIMMY.Schemas.Group.definition,
    SCIMMY.Schemas.EnterpriseUser.definition,
    roster,
  ];
  const resources = [SCIMMY.Schemas.User.definition, SCIMMY.Schemas.Group.definition];
  return definitions.map((definition) => {
    // describe() holds Attribute instances; their toJSON() is the RFC 7643 §7 shape (mutability, returned…).
    const described = withoutNulls(
      JSON.parse(JSON.stringify(definition.describe(`${baseUrl}/Schemas`))),
    ) as Described & { attributes: unknown[] };
    // scimmy leaves out the common attributes (RFC 7643 §3.1); externalId is one a client maps, and
    // Microsoft's validator looks for it here.
    if (resources.includes(definition)) {
      const externalId = definition.attribute('externalId') as unknown;
      described.attributes = [withoutNulls(JSON.parse(JSON.stringify(externalId))), ...described.attributes];
    }
    return described;
  });
}

export function resourceTypeResources(baseUrl: string): Described[] {
  const meta = (id: string) => ({ resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${id}` });
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_URN,
      schemaExtensions: [
        { schema: ENTERPRISE_URN, required: false },
        { schema: ROSTER_URN, required: false },
      ],
      meta: meta('User'),
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP_URN,
      schemaExtensions: [],
      meta: meta('Group'),
    },
  ];
}

/** What Roster really implements, no more (idp-interop.md #39, #40). */
export function serviceProviderConfig(
  baseUrl: string,
  limits: { maxResults: number; maxPayloadBytes: number },
) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    // maxPayloadSize is the largest body any request may have (a larger one is a 413), bulk or not.
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: limits.maxPayloadBytes },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    // RFC 9865 §4. Index paging stays the default, so clients that never heard of cursors are
    // answered as before; cursors are keyset positions that do not expire (no cursorTimeout).
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: limits.maxResults,
      maxPageSize: limits.maxResults,
    },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description:
          'A long-lived SCIM token issued with `roster scim-tokens issue`, sent as Authorization: Bearer.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}
