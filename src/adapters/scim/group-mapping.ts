import { isoTimestamp } from './timestamps';
import type { GroupView, NewGroup } from '../../domain/groups/group';
import type { UserId } from '../../domain/ids';
import { etagOf } from './etag';
import { GROUP_URN } from './schemas';
import { ScimError } from './scim-error';
import { assertSchemas } from './user-shape';

type Json = Record<string, unknown>;

/** Entra ID names this schema in every group it creates; it has no attributes, so it is tolerated. */
const ENTRA_GROUP_URN = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

/** A SCIM Group body (POST or PUT) as the domain's new-group input; members are user ids. */
export function groupInputFrom(body: unknown): NewGroup {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw ScimError.badRequest('invalidSyntax', 'The request body must be a SCIM Group JSON object');
  }
  const doc = body as Json;
  assertSchemas(field(doc, 'schemas'), GROUP_URN, [GROUP_URN, ENTRA_GROUP_URN]);
  const extension = Object.keys(doc).find((key) => /^urn:/i.test(key));
  if (extension !== undefined) {
    throw ScimError.badRequest(
      'invalidValue',
      `Groups have no schema extension "${extension.slice(0, 100)}"`,
    );
  }
  const displayName = field(doc, 'displayName');
  if (typeof displayName !== 'string' || !displayName.trim()) {
    throw ScimError.badRequest('invalidValue', 'displayName is required (a string)');
  }
  const externalId = field(doc, 'externalId');
  if (externalId !== undefined && externalId !== null && typeof externalId !== 'string') {
    throw ScimError.badRequest('invalidValue', 'externalId must be a string');
  }
  return { displayName, externalId: externalId || null, memberIds: memberIdsOf(field(doc, 'members')) };
}

export function memberIdsOf(members: unknown): UserId[] {
  if (members === undefined || members === null) return [];
  if (!Array.isArray(members)) throw ScimError.badRequest('invalidValue', 'members must be an array');
  return members.map((m) => {
    const value = m && typeof m === 'object' ? (m as Json).value : undefined;
    if (typeof value !== 'string' || !value) {
      throw ScimError.badRequest('invalidValue', 'Each member needs a "value" with the id of a User');
    }
    return value as UserId;
  });
}

export function groupResource(view: GroupView, baseUrl: string): Json {
  const { group, members } = view;
  return {
    schemas: [GROUP_URN],
    id: group.id,
    ...(group.externalId !== null ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    ...(members
      ? {
          members: members.map((m) => ({
            value: m.userId,
            $ref: `${baseUrl}/Users/${m.userId}`,
            display: m.userName,
            type: 'User',
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: isoTimestamp(group.created),
      lastModified: isoTimestamp(group.lastModified),
      location: `${baseUrl}/Groups/${group.id}`,
      version: etagOf(group.version),
    },
  };
}

/** Attribute names are case-insensitive (RFC 7643 §2.1). */
function field(doc: Json, name: string): unknown {
  const key = Object.keys(doc).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : doc[key];
}
