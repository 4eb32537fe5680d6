import { z } from 'zod';
import type { AccountDomainService } from '../../../domain/oidc/account-domain-service';
import type { AccountDomain } from '../../../domain/oidc/oidc-ports';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody } from './api-schemas';

const refused = { description: 'Refused; the error says why', schema: errorBody };
const domainSchema = z.object({
  domain: z.string().describe('Lowercase ASCII (IDNA): bücher.de is xn--bcher-kva.de'),
  created: z.string(),
});
const claimBody = z.strictObject({ domain: z.string().min(1).max(253) });

const domainJson = (d: AccountDomain) => ({ domain: d.domain, created: new Date(d.created).toISOString() });

/**
 * The email domains this account claims: a product that sends only `login_hint=alice@acme.com`
 * reaches the account holding acme.com. Two accounts never hold one domain.
 */
export function domainRoutes(domains: AccountDomainService): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/domains',
      summary: 'The email domains this account claims (sign-ins with a login_hint at them come here)',
      action: 'sso.view',
      responses: {
        200: { description: 'Claimed domains', schema: z.object({ domains: z.array(domainSchema) }) },
        403: refused,
      },
      handle: async ({ actor }) => ({ domains: (await domains.list(actor)).map(domainJson) }),
    }),
    apiRoute({
      method: 'post',
      path: '/domains',
      summary: 'Claim an email domain for this account (idempotent for a domain it already holds)',
      action: 'domains.claim',
      body: claimBody,
      status: 201,
      responses: {
        201: { description: 'Claimed', schema: domainSchema },
        400: { description: 'Not a domain name, or letters that pass for another domain', schema: errorBody },
        403: refused,
        409: { description: 'Another account holds the domain', schema: errorBody },
      },
      handle: async ({ actor, body }) => domainJson(await domains.claim(actor, body.domain)),
    }),
    apiRoute({
      method: 'delete',
      path: '/domains/:domain',
      summary: 'Release a domain this account claimed',
      action: 'domains.claim',
      status: 204,
      responses: {
        204: { description: 'Released' },
        400: { description: 'Not a domain name', schema: errorBody },
        403: refused,
        404: { description: 'Not claimed here', schema: errorBody },
      },
      handle: async ({ actor, params }) => {
        await domains.release(actor, params.domain);
        return undefined;
      },
    }),
  ];
}
