/**
 * What a SCIM filter may name, per resource: attribute paths by schema, and the domain fields and
 * collections (multi-valued attributes) they map to.
 */
import {
  groupFields,
  groupMemberFields,
  userEmailFields,
  userFields,
  userGroupFields,
  type FieldKind,
  type GroupCollection,
  type GroupField,
  type UserCollection,
  type UserField,
} from '../../domain/query';
import { profileCollections } from '../../domain/users/profile-index';

import {
  ENTERPRISE_URN as enterpriseUserSchema,
  GROUP_URN as coreGroupSchema,
  USER_URN as coreUserSchema,
} from './urns';

/** An attribute maps to a field, or to a multi-valued attribute (a collection) with element fields. */
export type PathTarget<F extends string, C extends string> = F | { collection: C };

export interface ResourceSpec<F extends string, C extends string> {
  fields: Record<F, FieldKind>;
  collections: Record<C, Record<string, FieldKind>>;
  /** Schema URN → attribute paths in that schema. The first schema is the resource's core schema. */
  schemas: Record<string, Record<string, PathTarget<F, C>>>;
}

/**
 * Every attribute of RFC 7643's User and the enterprise extension a client can send, except the
 * never-returned password and the `$ref`/`type` sub-attributes that Roster writes itself.
 */
export const userSpec: ResourceSpec<UserField, UserCollection> = {
  fields: userFields,
  collections: { emails: userEmailFields, groups: userGroupFields, ...profileCollections },
  schemas: {
    [coreUserSchema]: {
      id: 'id',
      externalId: 'externalId',
      userName: 'userName',
      displayName: 'displayName',
      nickName: 'nickName',
      profileUrl: 'profileUrl',
      title: 'title',
      userType: 'userType',
      preferredLanguage: 'preferredLanguage',
      locale: 'locale',
      timezone: 'timezone',
      'name.formatted': 'formattedName',
      'name.givenName': 'givenName',
      'name.familyName': 'familyName',
      'name.middleName': 'middleName',
      'name.honorificPrefix': 'honorificPrefix',
      'name.honorificSuffix': 'honorificSuffix',
      active: 'active',
      emails: { collection: 'emails' },
      phoneNumbers: { collection: 'phoneNumbers' },
      ims: { collection: 'ims' },
      photos: { collection: 'photos' },
      addresses: { collection: 'addresses' },
      entitlements: { collection: 'entitlements' },
      roles: { collection: 'roles' },
      x509Certificates: { collection: 'x509Certificates' },
      groups: { collection: 'groups' },
      'meta.created': 'created',
      'meta.lastModified': 'lastModified',
    },
    [enterpriseUserSchema]: {
      employeeNumber: 'employeeNumber',
      costCenter: 'costCenter',
      organization: 'organization',
      division: 'division',
      department: 'department',
      manager: 'managerId',
      'manager.value': 'managerId',
      'manager.displayName': 'managerDisplayName',
    },
  },
};

export const groupSpec: ResourceSpec<GroupField, GroupCollection> = {
  fields: groupFields,
  collections: { members: groupMemberFields },
  schemas: {
    [coreGroupSchema]: {
      id: 'id',
      externalId: 'externalId',
      displayName: 'displayName',
      members: { collection: 'members' },
      'meta.created': 'created',
      'meta.lastModified': 'lastModified',
    },
  },
};

/** Filterable attribute paths as documented: core ones bare, extension ones with their schema URN. */
export function listAttributes<F extends string, C extends string>(
  spec: ResourceSpec<F, C>,
): readonly string[] {
  const coreSchema = Object.keys(spec.schemas)[0];
  return Object.entries(spec.schemas).flatMap(([schema, paths]) =>
    Object.entries(paths).flatMap(([path, target]) => {
      const written = schema === coreSchema ? path : `${schema}:${path}`;
      if (typeof target === 'string') return [written];
      return Object.keys(spec.collections[target.collection]).map((sub) => `${written}.${sub}`);
    }),
  );
}

export const userFilterAttributes: readonly string[] = listAttributes(userSpec);
export const groupFilterAttributes: readonly string[] = listAttributes(groupSpec);
