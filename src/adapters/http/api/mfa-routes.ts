import { z } from 'zod';
import type { MfaPolicyService } from '../../../domain/mfa/mfa-policy-service';
import type { MfaPolicy } from '../../../domain/mfa/mfa-policy';
import type { MemberService } from '../../../domain/access/member-service';
import type { TotpStepUpService } from '../../../domain/mfa/totp-step-up-service';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody, memberSchema, mfaPolicySchema } from './api-schemas';

export interface MfaRouteServices {
  mfa: MfaPolicyService;
  members: MemberService;
  stepUp: TotpStepUpService;
}

const refused = { description: 'Refused; the error says why', schema: errorBody };

/** Every field optional: a PUT changes the fields it names and leaves the others. */
const policyBody = mfaPolicySchema.partial();

const userFlagBody = z.strictObject({
  /** true or false sets the user's own flag; null clears it. */
  required: z.boolean().nullable(),
});

export function mfaPolicyJson(policy: MfaPolicy): z.infer<typeof mfaPolicySchema> {
  const { roleKeys, ...rest } = policy;
  return { ...rest, roles: roleKeys };
}

/** The account's MFA policy and users' own MFA flags (Owner and Admin; never support staff). */
export function mfaRoutes(s: MfaRouteServices): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/mfa-policy',
      summary: "The account's MFA policy: who must prove MFA and which IdP values count as proof",
      action: 'sso.view',
      responses: { 200: { description: 'The policy', schema: mfaPolicySchema }, 403: refused },
      handle: async ({ actor }) => mfaPolicyJson(await s.mfa.get(actor)),
    }),
    apiRoute({
      method: 'put',
      path: '/mfa-policy',
      summary: 'Change the MFA policy; fields left out keep their value',
      action: 'sso.configure',
      body: policyBody,
      responses: {
        200: { description: 'The policy after the change', schema: mfaPolicySchema },
        400: { description: 'Unknown role, or a policy nothing could satisfy', schema: errorBody },
        403: refused,
      },
      handle: async ({ actor, body }) => {
        const { roles, ...rest } = body;
        return mfaPolicyJson(await s.mfa.set(actor, { ...rest, ...(roles ? { roleKeys: roles } : {}) }));
      },
    }),
    apiRoute({
      method: 'put',
      path: '/members/:userId/mfa',
      summary: "Set or clear a user's own MFA flag (the IdP sets the same flag through SCIM)",
      action: 'member.mfa.set',
      body: userFlagBody,
      responses: {
        200: { description: 'The member after the change', schema: memberSchema },
        400: refused,
        403: refused,
        404: { description: 'No such user in this account', schema: errorBody },
      },
      handle: async ({ actor, params, body }) => {
        await s.mfa.setUserRequirement(actor, params.userId, body.required);
        return s.members.get(actor, params.userId);
      },
    }),
    apiRoute({
      method: 'delete',
      path: '/members/:userId/totp',
      summary:
        "Reset a user's Roster TOTP (authenticator and backup codes): their next step-up enrols again. Never support staff",
      action: 'member.totp.reset',
      status: 204,
      responses: {
        204: { description: 'Reset' },
        403: refused,
        404: { description: 'No such user, or the user has no TOTP', schema: errorBody },
      },
      handle: async ({ actor, params }) => {
        await s.stepUp.reset(actor, params.userId);
      },
    }),
  ];
}
