import { z } from 'zod';

/**
 * The shapes the admin API answers with. They document the API (OpenAPI) and the tests parse real
 * responses with them, so a field the document promises is a field the server sends.
 */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export const overridesSchema = z.strictObject({
  /** role: the role's permissions; all / none: every permission / no permission, before grants and restrictions. */
  mode: z.enum(['role', 'all', 'none']),
  granted: z.array(z.string()),
  restricted: z.array(z.string()),
});

export const memberMfaSchema = z.object({
  /** Whether the user must prove MFA at sign-in. */
  required: z.boolean(),
  /** The broadest flag that requires it. */
  because: z.enum(['account', 'role', 'user']).nullable(),
  /** The user's own flag (the SCIM extension's mfaRequired); null when not set. */
  userFlag: z.boolean().nullable(),
});

export const memberSchema = z.object({
  id: z.string(),
  userName: z.string(),
  displayName: z.string().nullable(),
  status: z.enum(['active', 'inactive']),
  role: z.string().nullable(),
  roleName: z.string().nullable(),
  roleSource: z.enum(['owner', 'group', 'manual', 'default']).nullable(),
  roleGroup: z.string().nullable(),
  manualRole: z.string().nullable(),
  overrides: overridesSchema,
  permissions: z.array(z.string()),
  mfa: memberMfaSchema,
});

export const memberPage = z.object({ members: z.array(memberSchema), nextCursor: z.string().nullable() });

export const mappingSchema = z.object({
  id: z.string(),
  group: z.object({ by: z.enum(['id', 'externalId', 'displayName']), value: z.string() }),
  role: z.string(),
  created: z.string(),
});

export const accountSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'closed']),
  ownerId: z.string(),
  defaultRole: z.string().nullable(),
  needsOwnershipTransfer: z.boolean(),
  seatLimit: z.number().int().nullable(),
  /** The parent account when this is a child account. */
  parentId: z.string().nullable(),
  created: z.string(),
});

export const seatsSchema = z.object({ limit: z.number().int().nullable(), used: z.number().int() });

export const authorizeAnswer = z.object({
  allowed: z.boolean(),
  role: z.string().nullable(),
  reason: z.string(),
});

export const auditEventSchema = z.object({
  id: z.number().optional(),
  accountId: z.string(),
  actorKind: z.string(),
  actorId: z.string(),
  channel: z.string(),
  requestId: z.string().nullable(),
  occurredAt: z.string(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  actorName: z.string().nullable().optional(),
  subjectName: z.string().nullable().optional(),
  before: z.unknown(),
  after: z.unknown(),
});

export const auditPage = z.object({ events: z.array(auditEventSchema), nextCursor: z.string().nullable() });

export const accessReview = z.object({
  account: z.object({ id: z.string(), name: z.string() }),
  generatedAt: z.string(),
  members: z.array(
    memberSchema.extend({
      lastLogin: z.string().nullable(),
    }),
  ),
});

export const supportGrantSchema = z.object({
  id: z.string(),
  grantedBy: z.string(),
  granted: z.string(),
  expires: z.string(),
  status: z.enum(['active', 'expired', 'revoked', 'replaced']),
  ended: z.string().nullable(),
});

export const mfaPolicySchema = z.strictObject({
  /** Everyone in the account must prove MFA. */
  required: z.boolean(),
  /** Holders of these roles must prove MFA. */
  roles: z.array(z.string()),
  /** SAML AuthnContextClassRef values that prove MFA. */
  acceptedAuthnContextClassRefs: z.array(z.string()),
  /** Authentication-method attribute values that prove MFA (Entra authnmethodsreferences, Okta amr). */
  acceptedAuthnMethods: z.array(z.string()),
  /** Roster asks for its own TOTP code when the IdP did not prove MFA. */
  allowTotpStepUp: z.boolean(),
});
