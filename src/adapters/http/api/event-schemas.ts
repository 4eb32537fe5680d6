import { z } from 'zod';
import { eventTypes, type EventType } from '../../../domain/events/event-types';

/**
 * Version 1 of each event type's shape (docs/events.md), as the OpenAPI document publishes it.
 * Objects are open: a later version may add fields, never remove or change one.
 */
const actor = z
  .object({
    kind: z.enum(['scim-token', 'member', 'operator', 'system', 'support', 'service']),
    id: z.string(),
    channel: z.string(),
  })
  .describe('Who made the change, and through which door (scim, admin-api, cli, hr-sync, job, saml)');

const nullableString = z.string().nullable();
const person = {
  userName: nullableString,
  email: nullableString.describe("The user's primary email"),
  active: z.boolean().nullable(),
};
const user = { ...person, externalId: nullableString, displayName: nullableString };
const changed = z.array(z.string()).describe('The fields that changed: userName, active, emails, …');
const group = { displayName: nullableString, externalId: nullableString };
const role = z.object({
  role: nullableString.describe('The role key; null: no role (no access)'),
  source: z.enum(['owner', 'group', 'manual', 'default']).nullable().describe('Why the user has it'),
  group: nullableString.describe('The mapped group it comes from, for source group'),
});
const member = { ...group, userId: z.string(), userName: nullableString, email: nullableString };

const dataOf: Record<EventType, z.ZodType> = {
  'user.created': z.object({ ...user, restored: z.boolean().describe('A deleted user came back'), actor }),
  'user.updated': z.object({ ...user, changed, actor }),
  'user.deactivated': z.object({ ...user, changed, actor }),
  'user.reactivated': z.object({ ...user, changed, actor }),
  'user.deleted': z.object({ ...user, actor }),
  'group.created': z.object({ ...group, actor }),
  'group.renamed': z.object({ ...group, previous: z.object(group), actor }),
  'group.deleted': z.object({ ...group, actor }),
  'group.member_added': z.object({ ...member, actor }),
  'group.member_removed': z.object({ ...member, actor }),
  'user.role_changed': z.object({ userId: z.string(), old: role, new: role, actor }),
  'user.mfa_required_changed': z.object({
    userId: z.string(),
    ...person,
    old: z.boolean().nullable().describe("The user's own MFA flag before; null: not set"),
    new: z.boolean().nullable(),
    actor,
  }),
  'account.ownership_transferred': z.object({
    from: z.string(),
    to: z.string(),
    reason: z.string().optional().describe('Why an operator forced it'),
    actor,
  }),
  'session.ended': z.object({
    userId: z.string(),
    userName: nullableString,
    email: nullableString,
    reason: z
      .string()
      .describe('logout, idp_logout, product_logout, expired, deactivated, lost_role, deleted, …'),
    sid: z.string().describe("The session's id"),
    sessionKind: z
      .enum(['sso', 'oidc'])
      .describe("sso: Roster's browser session; oidc: a product's sign-in through Roster"),
    actor,
  }),
  'api_key.revoked': z.object({
    reason: z.string().describe('revoked (one key), deactivated or lost_role (all of a leaver’s keys)'),
    userId: z.string().nullable().describe("The key's user; null for the service key"),
    kind: z.enum(['member', 'service']).optional(),
    label: z.string().optional(),
    keys: z.number().int().optional().describe("How many of a leaver's keys were revoked"),
    actor,
  }),
  'scim_token.revoked': z.object({ actor }),
  'account.closed': z.object({
    status: z.literal('closed'),
    parentClosed: z.string().optional().describe('Closed with its parent account, this one'),
    actor,
  }),
  'deprovisioning.brake_held': z.object({
    recent: z.number().int().describe('Users who lost access over SCIM in the window'),
    limit: z.number().int(),
    windowMinutes: z.number().int(),
    actor,
  }),
  'deprovisioning.brake_released': z.object({
    recent: z.number().int(),
    limit: z.number().int(),
    approvedUntil: z.string().describe('SCIM removals go through until then'),
    actor,
  }),
  'hr_sync.finished': z.object({
    rows: z.number().int().describe("The export's rows"),
    created: z.number().int().describe('Planned changes of each kind, failures included'),
    updated: z.number().int(),
    deactivated: z.number().int(),
    reactivated: z.number().int(),
    scheduled: z.number().int().describe('Start or termination dates recorded for later'),
    failures: z.number().int().describe('Changes refused when applied (e.g. the seat limit)'),
    issues: z.number().int().describe('Rows the plan could not use'),
    actor,
  }),
  'webhook.disabled': z.object({
    webhookId: z.string().describe('The endpoint Roster disabled (subject: the account)'),
    enabled: z.literal(false),
    kind: z.string().describe('webhook, or another delivery target such as ssf_push'),
    url: z.string(),
    reason: z.string().describe('Why: no delivery accepted since a time'),
    failingSince: z.number().int().describe('When the failures began (ms since the epoch)'),
    actor,
  }),
};

const subject = z.object({
  type: z.enum(['user', 'group', 'account', 'session', 'api_key', 'scim_token']),
  id: z.string(),
  email: z.string().optional().describe("A user's or a session's user's primary email, where known"),
});

const envelope = {
  id: z.string().describe('A UUID, the same on every read and delivery'),
  version: z.literal(1),
  accountId: z.string(),
  seq: z.number().int().describe("The account's own sequence: 1, 2, 3… without gaps, in commit order"),
  position: z.number().int().describe('The global feed order (not gap-free)'),
  occurredAt: z.string().describe('ISO 8601'),
  subject,
};

export const eventSchema = z.discriminatedUnion(
  'type',
  eventTypes.map((type) =>
    z.object({ ...envelope, type: z.literal(type), data: dataOf[type] }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

export const eventPageSchema = z.object({
  events: z.array(eventSchema),
  nextCursor: z.string().describe('Pass as `after` to read on; unchanged when nothing new happened'),
  hasMore: z.boolean().describe('More events are waiting: read again at once'),
});
