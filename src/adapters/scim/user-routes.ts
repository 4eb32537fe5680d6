import type { Express } from 'express';
import type { UserService } from '../../domain/users/user-service';
import type { UserCollection, UserField } from '../../domain/query';
import { expectedVersion } from './etag';
import { parseUserFilter } from './filter';
import type { CursorCodec } from './cursor';
import {
  cursorScope,
  cursorsOf,
  listResponse,
  pagedQuery,
  parseListRequest,
  type ListDialect,
} from './list-query';
import { project, projectionFrom } from './projection';
import { patchOperations, searchParams, sendResource, sendScim } from './respond';
import { USER_URN } from './schemas';
import { actorOf } from './token-auth';
import { applyUserPatch } from './user-patch';
import { assertUserSizes } from './user-shape';
import { patchableDocument, userDraftFrom, userResource } from './user-mapping';

export interface ScimRouteOptions {
  /** Where the routes are mounted, e.g. `/scim/v2`. */
  prefix: string;
  baseUrl: string;
  maxResults: number;
  /** Signs and checks RFC 9865 list cursors. */
  cursors: CursorCodec;
  /** The display name of a role of the catalogue in use. */
  roleName(roleKey: string): string;
}

const userDialect: ListDialect<UserField, UserCollection> = {
  parseFilter: parseUserFilter,
  sortable: {
    id: 'id',
    username: 'userName',
    externalid: 'externalId',
    displayname: 'displayName',
    'name.givenname': 'givenName',
    'name.familyname': 'familyName',
    emails: 'primaryEmail',
    'emails.value': 'primaryEmail',
    active: 'active',
    'meta.created': 'created',
    'meta.lastmodified': 'lastModified',
  },
};

/** /Users: translate SCIM to UserService calls and back; no rule is decided here. */
export function mountUserRoutes(app: Express, users: UserService, options: ScimRouteOptions): void {
  const { baseUrl } = options;

  const list = async (req: import('express').Request, res: import('express').Response) => {
    const request = parseListRequest(searchParams(req), userDialect, options.maxResults);
    const actor = actorOf(res);
    const scope = cursorScope(request, actor.accountId, 'Users');
    const query = pagedQuery(request, scope, options.cursors);
    const page = await users.list(actor, query);
    const resources = page.items.map((view) =>
      project(userResource(view, baseUrl, options.roleName), request.projection, USER_URN),
    );
    const cursors = query.keyset ? cursorsOf(page, query, scope, options.cursors) : undefined;
    sendScim(res, 200, listResponse(resources, page.total, request.startIndex, cursors));
  };
  app.get(`${options.prefix}/Users`, list);
  app.post(`${options.prefix}/Users/.search`, list);

  app.post(`${options.prefix}/Users`, async (req, res) => {
    const { view } = await users.provision(actorOf(res), userDraftFrom(req.body));
    sendResource(req, res, 201, userResource(view, baseUrl, options.roleName), view.user.version, {
      coreUrn: USER_URN,
    });
  });

  app.get(`${options.prefix}/Users/:id`, async (req, res) => {
    const projection = projectionFrom(req.query as Record<string, unknown>);
    const view = await users.get(actorOf(res), req.params.id);
    sendResource(req, res, 200, userResource(view, baseUrl, options.roleName), view.user.version, {
      projection,
      coreUrn: USER_URN,
    });
  });

  app.put(`${options.prefix}/Users/:id`, async (req, res) => {
    const view = await users.modify(
      actorOf(res),
      req.params.id,
      (current) => userDraftFrom(req.body, current),
      {
        expectedVersion: expectedVersion(req.header('if-match')),
      },
    );
    sendResource(req, res, 200, userResource(view, baseUrl, options.roleName), view.user.version, {
      coreUrn: USER_URN,
    });
  });

  app.patch(`${options.prefix}/Users/:id`, async (req, res) => {
    const operations = patchOperations(req.body);
    // Before the patch is applied: each added value is matched against the list (quadratic in it).
    assertUserSizes(operations, 'Operations');
    const view = await users.modify(
      actorOf(res),
      req.params.id,
      (current) =>
        userDraftFrom(applyUserPatch(patchableDocument(current), operations), current, {
          mfaWhenAbsent: 'clear',
        }),
      { expectedVersion: expectedVersion(req.header('if-match')) },
    );
    sendResource(req, res, 200, userResource(view, baseUrl, options.roleName), view.user.version, {
      coreUrn: USER_URN,
    });
  });

  app.delete(`${options.prefix}/Users/:id`, async (req, res) => {
    await users.delete(actorOf(res), req.params.id, {
      expectedVersion: expectedVersion(req.header('if-match')),
    });
    res.status(204).end();
  });
}
