import { foldCase } from '../text';
import type { User, UserDraft, UserEmail } from '../users/user';
import type { HrFields } from './hr-types';

// The SCIM enterprise extension's URN: the profile is kept as a SCIM document, so HR fields land
// where a SCIM client reads them (department, employeeNumber, manager). Not imported from the
// SCIM adapter: the domain does not depend on adapters.
const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';

type Json = Record<string, unknown>;

/** The user as a draft, unchanged. */
export function draftOf(user: User): UserDraft {
  const { id: _id, accountId: _a, version: _v, created: _c, lastModified: _m, ...draft } = user;
  return draft;
}

/**
 * What an HR row makes of a user: the HR fields win, everything else the user has (other emails,
 * externalId, extension attributes set over SCIM) stays.
 */
export function hrDraft(current: User | null, employeeId: string, fields: HrFields): UserDraft {
  const profile: Json = { ...(current?.profile ?? { schemas: [CORE_URN, ENTERPRISE_URN] }) };
  const displayName = [fields.givenName, fields.familyName].filter(Boolean).join(' ') || null;
  const emails: UserEmail[] = [
    { value: fields.email, type: 'work', primary: true },
    ...(current?.emails ?? [])
      .filter((e) => foldCase(e.value) !== foldCase(fields.email))
      .map((e) => ({ ...e, primary: false })),
  ];
  const enterprise = setOrDrop(
    { ...((profile[ENTERPRISE_URN] as Json | undefined) ?? {}) },
    {
      employeeNumber: employeeId,
      department: fields.department,
      manager: fields.managerId ? { value: fields.managerId } : null,
    },
  );
  const name = setOrDrop(
    { ...((profile.name as Json | undefined) ?? {}) },
    {
      givenName: fields.givenName,
      familyName: fields.familyName,
    },
  );
  Object.assign(profile, { userName: fields.email, name, emails, active: fields.active });
  profile[ENTERPRISE_URN] = enterprise;
  setOrDrop(profile, { displayName, title: fields.title });
  return {
    userName: fields.email,
    externalId: current?.externalId ?? null,
    active: fields.active,
    displayName,
    givenName: fields.givenName,
    familyName: fields.familyName,
    employeeNumber: employeeId,
    managerId: fields.managerId,
    emails,
    profile,
  };
}

function setOrDrop(target: Json, values: Json): Json {
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined) delete target[key];
    else target[key] = value;
  }
  return target;
}
