import { z } from 'zod';
import { definitionOf, type Action } from '../../../domain/access/actions';
import type { ApiRoute } from './api-route';
import { errorBody } from './api-schemas';

type Json = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Json =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;

/** `/members/:userId` → `/members/{userId}`. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function queryParameters(query: z.ZodType | undefined): Json[] {
  if (!query) return [];
  const schema = jsonSchema(query, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

/** In words, who the rule book lets take the action (actions.ts). */
function needs(action: Action): string {
  const { permission, reservedTo, writes, integration } = definitionOf(action);
  const who = reservedTo?.who.includes('owner') ? ' Only the Owner.' : '';
  if (action === 'authorize') return 'Any API key; a member key only about its own user.';
  const readers = integration
    ? " The account's service key may take it too (the product manages its own webhooks and streams)."
    : writes
      ? ''
      : ' The service key and support (under a grant) may read it too.';
  return permission ? `Needs the \`${permission}\` permission.${who}${readers}` : `Operators only.`;
}

function operation(route: ApiRoute): Json {
  const pathParameters = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const responses: Json = {};
  for (const [status, doc] of Object.entries(route.responses)) {
    const content: Json = {};
    if (doc.schema) content['application/json'] = { schema: jsonSchema(doc.schema, 'output') };
    for (const [type, description] of Object.entries(doc.alternatives ?? {})) {
      content[type] = { schema: { type: 'string', description } };
    }
    responses[status] = {
      description: doc.description,
      ...(doc.schema || doc.alternatives ? { content } : {}),
    };
  }
  if (!route.public) {
    responses[401] = {
      description: 'No valid API key or session',
      content: { 'application/json': { schema: jsonSchema(errorBody, 'output') } },
    };
  }
  return {
    summary: route.summary,
    ...(route.public ? { security: [] } : {}),
    ...(route.action ? { description: needs(route.action), 'x-roster-action': route.action } : {}),
    parameters: [...pathParameters, ...queryParameters(route.query)],
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the admin API, generated from the route table that serves it. */
export function openApiDocument(routes: readonly ApiRoute[], serverUrl: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Roster admin and authorization API',
      version: '1',
      description:
        'Members, roles, IdP group mappings, ownership, the audit log, the access review, and POST /authorize. Errors are {error: {code, message}} with stable codes.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }, { sessionCookie: [] }],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A member API key (acts as that user) or the account service key (reads and authorize only).',
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'roster_session',
          description:
            'The browser session set by a SAML sign-in (acts as that user). POST, PUT, PATCH and DELETE with the cookie need the X-CSRF-Token header: the session.csrfToken of GET /me.',
        },
      },
    },
    paths,
  };
}
