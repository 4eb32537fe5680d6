import { z } from 'zod';
import type { MemberService } from '../../../domain/access/member-service';
import type { RoleService } from '../../../domain/access/role-service';
import type { AccountService } from '../../../domain/accounts/account-service';
import type { OwnershipService } from '../../../domain/accounts/ownership-service';
import type { Account } from '../../../domain/ports';
import { accessReviewCsv, csvColumns, reviewed } from '../../reports/access-review';
import { apiRoute, type ApiRoute } from './api-route';
import { accessReview, accountSchema, errorBody, seatsSchema } from './api-schemas';

export interface AccountRouteServices {
  accounts: AccountService;
  ownership: OwnershipService;
  roles: RoleService;
  members: MemberService;
}

const refused = { description: 'Refused; the error says why', schema: errorBody };

function accountJson(account: Account) {
  return {
    id: account.id,
    name: account.name,
    status: account.status,
    ownerId: account.ownerId,
    defaultRole: account.defaultRoleKey,
    needsOwnershipTransfer: account.needsOwnershipTransfer,
    seatLimit: account.seatLimit,
    parentId: account.parentId ?? null,
    created: new Date(account.created).toISOString(),
  };
}

/** The account itself: ownership, closing, the default role, and the access review. */
export function accountRoutes(s: AccountRouteServices): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/account',
      summary: 'The account: owner, default role, whether ownership must move',
      action: 'users.view',
      responses: { 200: { description: 'The account', schema: accountSchema }, 403: refused },
      handle: async ({ actor }) => accountJson(await s.accounts.describe(actor)),
    }),
    apiRoute({
      method: 'put',
      path: '/account/default-role',
      summary: 'The role of users in no mapped group and with no role by hand (null: none)',
      action: 'account.default_role.set',
      body: z.strictObject({ role: z.string().min(1).nullable() }),
      responses: { 200: { description: 'The account', schema: accountSchema }, 400: refused, 403: refused },
      handle: async ({ actor, body }) => {
        await s.roles.setDefault(actor, body.role);
        return accountJson(await s.accounts.describe(actor));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/account/ownership-transfer',
      summary: 'Transfer ownership to an active user (the current Owner only); the prior Owner becomes Admin',
      action: 'ownership.transfer',
      body: z.strictObject({ to: z.string().min(1) }),
      responses: {
        200: { description: 'The account with its new Owner', schema: accountSchema },
        400: refused,
        403: refused,
        404: { description: 'No such user in this account', schema: errorBody },
        412: {
          description: 'The new Owner is deactivated, or ownership changed meanwhile',
          schema: errorBody,
        },
      },
      handle: async ({ actor, body }) => accountJson(await s.ownership.transfer(actor, body.to)),
    }),
    apiRoute({
      method: 'post',
      path: '/account/close',
      summary: 'Close the account (the Owner only); its SCIM tokens and API keys stop working at once',
      action: 'account.close',
      status: 204,
      responses: { 204: { description: 'Closed' }, 403: refused },
      handle: async ({ actor }) => {
        await s.ownership.close(actor);
      },
    }),
    apiRoute({
      method: 'get',
      path: '/account/seats',
      summary: 'Seats in use (active users) and the seat limit (null: unlimited)',
      action: 'users.view',
      responses: { 200: { description: 'The seats', schema: seatsSchema }, 403: refused },
      handle: async ({ actor }) => s.accounts.seats(actor),
    }),
    apiRoute({
      method: 'get',
      path: '/access-review',
      summary:
        'Who has which role, from where, with which permissions, status, last login and MFA state (JSON, or CSV with format=csv or Accept: text/csv)',
      action: 'audit.view',
      query: z.strictObject({ format: z.enum(['json', 'csv']).optional() }),
      responses: {
        200: {
          description: 'The review of every member',
          schema: accessReview,
          alternatives: { 'text/csv': `One row per member; columns: ${csvColumns.join(', ')}` },
        },
        403: refused,
      },
      handle: async ({ actor, query, req, res }) => {
        const account = await s.accounts.describe(actor);
        const members = (await s.members.review(actor)).map(reviewed);
        const csv =
          query.format === 'csv' || (query.format === undefined && req.accepts(['json', 'csv']) === 'csv');
        if (!csv)
          return {
            account: { id: account.id, name: account.name },
            generatedAt: new Date().toISOString(),
            members,
          };
        const day = new Date().toISOString().slice(0, 10);
        res
          .status(200)
          .type('text/csv; charset=utf-8')
          .attachment(`access-review-${day}.csv`)
          .send(accessReviewCsv(members));
        return undefined;
      },
    }),
  ];
}
