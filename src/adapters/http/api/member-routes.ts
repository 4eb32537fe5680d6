import { z } from 'zod';
import type { MemberService } from '../../../domain/access/member-service';
import type { RoleService } from '../../../domain/access/role-service';
import type { SessionService } from '../../../domain/sso/session-service';
import type { UserService } from '../../../domain/users/user-service';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody, memberPage, memberSchema, overridesSchema } from './api-schemas';

export interface MemberRouteServices {
  members: MemberService;
  roles: RoleService;
  users: UserService;
  sessions: SessionService;
}

/** `none` in a filter means "no role" / "no source". */
const noneOr = <T extends z.ZodType>(schema: T) =>
  z.union([z.literal('none').transform(() => null), schema]).optional();

const listQuery = z.strictObject({
  role: noneOr(z.string().min(1)),
  status: z.enum(['active', 'inactive']).optional(),
  source: noneOr(z.enum(['owner', 'group', 'manual', 'default'])),
  limit: z.coerce.number().int().optional(),
  cursor: z.string().min(1).optional(),
});

const roleBody = z.strictObject({
  /** A role key of the catalogue, or null to take back a role given by hand. */
  role: z.string().min(1).nullable(),
});

const refused = { description: 'Refused; the error says why', schema: errorBody };
const notFound = { description: 'No such user in this account', schema: errorBody };

/** Members: who is in the account, their role and where it comes from, and the changes an Owner or Admin makes. */
export function memberRoutes(s: MemberRouteServices): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/members',
      summary: 'List members, paged, filtered by role, status and role source',
      action: 'users.view',
      query: listQuery,
      responses: { 200: { description: 'A page of members', schema: memberPage }, 403: refused },
      handle: ({ actor, query }) =>
        s.members.list(actor, {
          role: query.role,
          status: query.status,
          source: query.source,
          limit: query.limit,
          after: query.cursor,
        }),
    }),
    apiRoute({
      method: 'get',
      path: '/members/:userId',
      summary: 'One member with their role, its source and their permissions',
      action: 'users.view',
      responses: { 200: { description: 'The member', schema: memberSchema }, 403: refused, 404: notFound },
      handle: ({ actor, params }) => s.members.get(actor, params.userId),
    }),
    apiRoute({
      method: 'put',
      path: '/members/:userId/role',
      summary: 'Give a role by hand (refused when the role comes from a mapped IdP group)',
      action: 'member.role.set',
      body: roleBody,
      responses: {
        200: { description: 'The member after the change', schema: memberSchema },
        400: refused,
        403: refused,
        404: notFound,
        412: {
          description: 'The role comes from a mapped IdP group (role.managed_by_group)',
          schema: errorBody,
        },
      },
      handle: async ({ actor, params, body }) => {
        await s.roles.assign(actor, params.userId, body.role);
        return s.members.get(actor, params.userId);
      },
    }),
    apiRoute({
      method: 'put',
      path: '/members/:userId/permissions',
      summary: 'Grant or restrict single permissions on top of the role, or allow all / none',
      action: 'member.permissions.set',
      body: overridesSchema,
      responses: {
        200: { description: 'The member after the change', schema: memberSchema },
        400: { description: 'Unknown permission, or a prerequisite would be missing', schema: errorBody },
        403: refused,
        404: notFound,
      },
      handle: async ({ actor, params, body }) => {
        await s.roles.setPermissions(actor, params.userId, body);
        return s.members.get(actor, params.userId);
      },
    }),
    apiRoute({
      method: 'delete',
      path: '/members/:userId/sessions',
      summary:
        "Sign a user out everywhere: their Roster sessions and products' sign-ins end (products get a back-channel logout); they may sign in again",
      action: 'member.sessions.end',
      status: 204,
      responses: { 204: { description: 'Signed out' }, 403: refused, 404: notFound },
      handle: async ({ actor, params }) => {
        await s.sessions.endAllOf(actor, params.userId);
      },
    }),
    apiRoute({
      method: 'delete',
      path: '/members/:userId',
      summary: 'Delete a user (the Owner cannot be deleted: transfer ownership first)',
      action: 'users.delete',
      status: 204,
      responses: {
        204: { description: 'Deleted' },
        403: refused,
        404: notFound,
        412: { description: 'The user is the Owner (account.owner_undeletable)', schema: errorBody },
      },
      handle: async ({ actor, params }) => {
        await s.users.delete(actor, params.userId);
      },
    }),
  ];
}
