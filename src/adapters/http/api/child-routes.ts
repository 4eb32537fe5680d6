import { z } from 'zod';
import type { AccountAccess, ChildAccountService } from '../../../domain/accounts/child-account-service';
import type { Account } from '../../../domain/ports';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody } from './api-schemas';

const refused = { description: 'Refused; the error says why', schema: errorBody };

export const childSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'closed']),
  parentId: z.string(),
  ownerId: z.string(),
  created: z.string(),
});

export const accessSchema = z.object({
  access: z.array(
    z.object({
      accountId: z.string(),
      name: z.string(),
      kind: z.enum(['own', 'child']),
      access: z.boolean(),
      role: z.string().nullable(),
    }),
  ),
});

const createBody = z.strictObject({
  name: z.string().min(1),
  /** A user of this account (id or userName); this account's Owner when absent. */
  owner: z.string().min(1).optional(),
});

const accessBody = z.strictObject({ access: z.boolean(), role: z.string().min(1).optional() });

function childJson(account: Account) {
  return {
    id: account.id,
    name: account.name,
    status: account.status,
    parentId: account.parentId ?? '',
    ownerId: account.ownerId,
    created: new Date(account.created).toISOString(),
  };
}

const accessJson = (access: AccountAccess[]) => ({ access });

/** Child accounts of the caller's account (one level) and who has access to each, with which role. */
export function childRoutes(children: ChildAccountService): ApiRoute[] {
  return [
    apiRoute({
      method: 'post',
      path: '/children',
      summary: "Create a child account; its Owner is this account's Owner unless `owner` names another user",
      action: 'children.create',
      body: createBody,
      status: 201,
      responses: {
        201: { description: 'The child account', schema: childSchema },
        400: refused,
        403: refused,
        404: { description: 'No such user in this account', schema: errorBody },
        412: { description: 'This account is itself a child (one level only)', schema: errorBody },
      },
      handle: async ({ actor, body }) => childJson((await children.createChild(actor, body)).account),
    }),
    apiRoute({
      method: 'get',
      path: '/children',
      summary: 'The child accounts of this account, oldest first',
      action: 'users.view',
      responses: {
        200: { description: 'Every child account', schema: z.object({ children: z.array(childSchema) }) },
        403: refused,
      },
      handle: async ({ actor }) => ({ children: (await children.listChildren(actor)).map(childJson) }),
    }),
    apiRoute({
      method: 'get',
      path: '/members/:userId/access',
      summary: "A member's access: this account and each child account, with the role there",
      action: 'users.view',
      responses: {
        200: { description: 'One entry per account', schema: accessSchema },
        403: refused,
        404: { description: 'No such user in this account', schema: errorBody },
      },
      handle: async ({ actor, params }) => accessJson(await children.accessOf(actor, params.userId)),
    }),
    apiRoute({
      method: 'put',
      path: '/members/:userId/access/:childId',
      summary: 'Give (with a role), change or take away a member’s access to a child account',
      action: 'member.child_access.set',
      body: accessBody,
      responses: {
        200: { description: "The member's access afterwards", schema: accessSchema },
        400: refused,
        403: refused,
        404: { description: 'No such user, or no such child of this account', schema: errorBody },
        409: { description: 'The child already has a user with this userName', schema: errorBody },
        412: {
          description: "The last account the user can access, the child's Owner, or a role from an IdP group",
          schema: errorBody,
        },
      },
      handle: async ({ actor, params, body }) =>
        accessJson(await children.setAccess(actor, params.userId, params.childId, body)),
    }),
  ];
}
