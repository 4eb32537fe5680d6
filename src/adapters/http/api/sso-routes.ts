import { z } from 'zod';
import type { SsoConfigService } from '../../../domain/sso/sso-config-service';
import type { SsoConfig } from '../../../domain/sso/sso-ports';
import { defaultSessionLifetimes } from '../../../domain/sso/session-service';
import { nameIdFormat, spEndpoints } from '../../saml/saml-options';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody } from './api-schemas';

const refused = { description: 'Refused; the error says why', schema: errorBody };

const ssoBody = z.union([
  z.strictObject({ metadataXml: z.string().min(1), idpInitiated: z.boolean().optional() }),
  z.strictObject({
    entityId: z.string().min(1),
    ssoUrl: z.string().min(1),
    certificates: z.array(z.string().min(1)).min(1),
    logoutUrl: z.string().min(1).nullable().optional(),
    idpInitiated: z.boolean().optional(),
  }),
]);

const minutes = z.number().int().nullable();
const lifetimesBody = z.strictObject({ idleMinutes: minutes, absoluteMinutes: minutes });

const ssoSchema = z.object({
  sp: z.object({
    entityId: z.string(),
    acsUrl: z.string(),
    metadataUrl: z.string(),
    loginUrl: z.string(),
    nameIdFormat: z.string(),
  }),
  idp: z
    .object({
      entityId: z.string(),
      ssoUrl: z.string(),
      idpInitiated: z.boolean(),
      logoutUrl: z.string().nullable(),
      sessions: z.object({
        idleMinutes: z.number().describe('A session unused this long ends'),
        absoluteMinutes: z.number().describe('A session ends this long after the sign-in, used or not'),
        custom: z.boolean().describe("False while the account uses Roster's defaults"),
      }),
      certificates: z.array(
        z.object({
          fingerprint: z.string(),
          subject: z.string(),
          notBefore: z.string(),
          notAfter: z.string(),
        }),
      ),
      updated: z.string(),
    })
    .nullable(),
});

function ssoJson(publicUrl: string, accountId: string, config: SsoConfig | null) {
  const sp = spEndpoints(publicUrl, accountId);
  return {
    sp: {
      entityId: sp.entityId,
      acsUrl: sp.acsUrl,
      metadataUrl: sp.entityId,
      loginUrl: sp.loginUrl,
      nameIdFormat,
    },
    idp: config && {
      entityId: config.idpEntityId,
      ssoUrl: config.ssoUrl,
      idpInitiated: config.idpInitiated,
      logoutUrl: config.logoutUrl,
      sessions: {
        idleMinutes: config.sessionIdleMinutes ?? defaultSessionLifetimes.idleMinutes,
        absoluteMinutes: config.sessionAbsoluteMinutes ?? defaultSessionLifetimes.absoluteMinutes,
        custom: config.sessionIdleMinutes !== null || config.sessionAbsoluteMinutes !== null,
      },
      certificates: config.certificates.map((c) => ({
        fingerprint: c.fingerprint,
        subject: c.subject,
        notBefore: new Date(c.notBefore).toISOString(),
        notAfter: new Date(c.notAfter).toISOString(),
      })),
      updated: new Date(config.updated).toISOString(),
    },
  };
}

/** The account's SAML IdP, and what to paste into the IdP. */
export function ssoRoutes(sso: SsoConfigService, publicUrl: string): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/sso',
      summary: "Single sign-on: Roster's SP values for the IdP, and the IdP configured (null before)",
      action: 'sso.view',
      responses: { 200: { description: 'SP values and IdP', schema: ssoSchema }, 403: refused },
      handle: async ({ actor }) => ssoJson(publicUrl, actor.accountId, await sso.get(actor)),
    }),
    apiRoute({
      method: 'put',
      path: '/sso',
      summary:
        'Configure the IdP from its metadata XML, or from entity id, SSO URL and signing certificates (several for rotation)',
      action: 'sso.configure',
      body: ssoBody,
      responses: {
        200: { description: 'The configuration now in force', schema: ssoSchema },
        400: {
          description: 'Unreadable metadata, or a certificate expired or not a certificate',
          schema: errorBody,
        },
        403: refused,
      },
      handle: async ({ actor, body }) => {
        const source =
          'metadataXml' in body
            ? { metadataXml: body.metadataXml }
            : {
                entityId: body.entityId,
                ssoUrl: body.ssoUrl,
                certificates: body.certificates,
                logoutUrl: body.logoutUrl,
              };
        const config = await sso.configure(actor, source, { idpInitiated: body.idpInitiated });
        return ssoJson(publicUrl, actor.accountId, config);
      },
    }),
    apiRoute({
      method: 'put',
      path: '/sso/session-lifetimes',
      summary:
        'How long browser sessions last: idle and absolute, in minutes (null: the default, 8 h and 24 h); new sessions use them',
      action: 'sso.configure',
      body: lifetimesBody,
      responses: {
        200: { description: 'The configuration now in force', schema: ssoSchema },
        400: { description: 'Not 1 to 43200 minutes, or idle longer than absolute', schema: errorBody },
        403: refused,
        404: { description: 'No IdP is configured', schema: errorBody },
      },
      handle: async ({ actor, body }) =>
        ssoJson(publicUrl, actor.accountId, await sso.setSessionLifetimes(actor, body)),
    }),
    apiRoute({
      method: 'delete',
      path: '/sso',
      summary: 'Remove the IdP: SSO logins to this account stop at once',
      action: 'sso.configure',
      status: 204,
      responses: {
        204: { description: 'Removed' },
        403: refused,
        404: { description: 'No IdP was configured', schema: errorBody },
      },
      handle: async ({ actor }) => {
        await sso.remove(actor);
        return undefined;
      },
    }),
  ];
}
