import type { Express, Request, Response } from 'express';
import type { GroupService } from '../../domain/groups/group-service';
import type { UserId } from '../../domain/ids';
import type { GroupField } from '../../domain/query';
import { expectedVersion } from './etag';
import { parseGroupFilter } from './filter';
import { groupInputFrom, groupResource } from './group-mapping';
import { planGroupPatch } from './group-patch';
import {
  cursorScope,
  cursorsOf,
  listResponse,
  pagedQuery,
  parseListRequest,
  type ListDialect,
} from './list-query';
import { excludes, project, projectionFrom } from './projection';
import { patchOperations, searchParams, sendResource, sendScim } from './respond';
import { GROUP_URN } from './schemas';
import { actorOf } from './token-auth';
import type { ScimRouteOptions } from './user-routes';

const groupDialect: ListDialect<GroupField, 'members'> = {
  parseFilter: parseGroupFilter,
  sortable: {
    id: 'id',
    displayname: 'displayName',
    externalid: 'externalId',
    'meta.created': 'created',
    'meta.lastmodified': 'lastModified',
  },
};

/** /Groups: members are changed by delta, so no request reads a whole group it does not return. */
export function mountGroupRoutes(app: Express, groups: GroupService, options: ScimRouteOptions): void {
  const { baseUrl } = options;

  const list = async (req: Request, res: Response) => {
    const request = parseListRequest(searchParams(req), groupDialect, options.maxResults);
    const withMembers = !excludes(request.projection, 'members');
    const actor = actorOf(res);
    const scope = cursorScope(request, actor.accountId, 'Groups');
    const query = pagedQuery(request, scope, options.cursors);
    const page = await groups.list(actor, query, { withMembers });
    const resources = page.items.map((view) =>
      project(groupResource(view, baseUrl), request.projection, GROUP_URN),
    );
    const cursors = query.keyset ? cursorsOf(page, query, scope, options.cursors) : undefined;
    sendScim(res, 200, listResponse(resources, page.total, request.startIndex, cursors));
  };
  app.get(`${options.prefix}/Groups`, list);
  app.post(`${options.prefix}/Groups/.search`, list);

  app.post(`${options.prefix}/Groups`, async (req, res) => {
    const view = await groups.create(actorOf(res), groupInputFrom(req.body));
    sendResource(req, res, 201, groupResource(view, baseUrl), view.group.version, { coreUrn: GROUP_URN });
  });

  app.get(`${options.prefix}/Groups/:id`, async (req, res) => {
    const projection = projectionFrom(req.query as Record<string, unknown>);
    const view = await groups.get(actorOf(res), req.params.id, {
      withMembers: !excludes(projection, 'members'),
    });
    sendResource(req, res, 200, groupResource(view, baseUrl), view.group.version, {
      projection,
      coreUrn: GROUP_URN,
    });
  });

  app.put(`${options.prefix}/Groups/:id`, async (req, res) => {
    const input = groupInputFrom(req.body);
    const actor = actorOf(res);
    await groups.applyDelta(
      actor,
      req.params.id,
      {
        displayName: input.displayName,
        externalId: input.externalId,
        replaceMembersWith: input.memberIds,
        addMemberIds: [],
        removeMemberIds: [],
      },
      { expectedVersion: expectedVersion(req.header('if-match')) },
    );
    const view = await groups.get(actor, req.params.id, { withMembers: true });
    sendResource(req, res, 200, groupResource(view, baseUrl), view.group.version, { coreUrn: GROUP_URN });
  });

  // 204: both IdPs accept it, and it spares a 100,000-member group from being read back.
  app.patch(`${options.prefix}/Groups/:id`, async (req, res) => {
    const plan = planGroupPatch(patchOperations(req.body));
    const group = await groups.applyDelta(
      actorOf(res),
      req.params.id,
      {
        displayName: plan.displayName,
        externalId: plan.externalId,
        replaceMembersWith: plan.replaceMembersWith as UserId[] | undefined,
        addMemberIds: plan.addMemberIds as UserId[],
        removeMemberIds: plan.removeMemberIds as UserId[],
      },
      { expectedVersion: expectedVersion(req.header('if-match')) },
    );
    res.setHeader('ETag', `W/"${group.version}"`);
    res.status(204).end();
  });

  app.delete(`${options.prefix}/Groups/:id`, async (req, res) => {
    await groups.delete(actorOf(res), req.params.id, {
      expectedVersion: expectedVersion(req.header('if-match')),
    });
    res.status(204).end();
  });
}
