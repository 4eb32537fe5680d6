import { z } from 'zod';
import type { InvitationService, SentInvitation } from '../../../domain/invitations/invitation-service';
import type { Invitation } from '../../../domain/ports';
import { apiRoute, type ApiRoute } from './api-route';
import { requestIdOf } from '../request-context';
import type { RateLimits } from '../rate-limits';
import { isDomainError } from '../../../domain/errors';
import { errorBody } from './api-schemas';

const refused = { description: 'Refused; the error says why', schema: errorBody };

const invitationSchema = z.object({
  id: z.string(),
  userId: z.string(),
  userName: z.string(),
  status: z
    .enum(['pending', 'accepted', 'expired', 'provisioned', 'revoked'])
    .describe(
      'provisioned: the IdP or HR activated the user first; revoked: they deactivated the user first',
    ),
  invitedBy: z.string(),
  sent: z.string(),
  sentCount: z.number().int(),
  expires: z.string(),
  accepted: z.string().nullable(),
});

const sentSchema = z.object({
  invitation: invitationSchema,
  secret: z.string().describe('For the acceptance link the product mails; shown once'),
});

const inviteBody = z.strictObject({
  email: z.string().min(3),
  role: z.string().min(1).nullable().optional(),
  givenName: z.string().max(255).nullable().optional(),
  familyName: z.string().max(255).nullable().optional(),
});

function invitationJson(invitation: Invitation & { userName: string }) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: invitation.id,
    userId: invitation.userId,
    userName: invitation.userName,
    status: invitation.status,
    invitedBy: invitation.invitedBy,
    sent: iso(invitation.sent),
    sentCount: invitation.sentCount,
    expires: iso(invitation.expires),
    accepted: invitation.accepted === null ? null : iso(invitation.accepted),
  };
}

function sentJson(sent: SentInvitation) {
  return {
    invitation: invitationJson({ ...sent.invitation, userName: sent.userName }),
    secret: sent.secret,
  };
}

/** Invitations (seeds/000, 001): invite, list who is still pending, resend, and accept. */
export function invitationRoutes(invitations: InvitationService, limits: RateLimits): ApiRoute[] {
  return [
    apiRoute({
      method: 'post',
      path: '/invitations',
      summary:
        'Invite a person by email, optionally with a role: their user waits inactive until they accept (valid 7 days). Roster sends no mail: send the returned secret in your acceptance link.',
      action: 'users.invite',
      body: inviteBody,
      status: 201,
      responses: {
        201: { description: 'The invitation and its secret (shown once)', schema: sentSchema },
        400: refused,
        403: { description: 'Not allowed, or every seat is taken', schema: errorBody },
        409: { description: 'Already a user of this account', schema: errorBody },
      },
      handle: async ({ actor, body }) => sentJson(await invitations.invite(actor, body)),
    }),
    apiRoute({
      method: 'get',
      path: '/invitations',
      summary:
        'Every invitation, newest first: pending, accepted, expired, or settled by the IdP (provisioned, revoked)',
      action: 'users.view',
      responses: {
        200: { description: 'The invitations', schema: z.object({ invitations: z.array(invitationSchema) }) },
        403: refused,
      },
      handle: async ({ actor }) => ({
        invitations: (await invitations.list(actor)).map(invitationJson),
      }),
    }),
    apiRoute({
      method: 'post',
      path: '/invitations/:invitationId/resend',
      summary:
        'Resend: a new secret valid 7 days from now (the old one stops working); revives an expired one',
      action: 'users.resend_invite',
      responses: {
        200: { description: 'The invitation and its new secret (shown once)', schema: sentSchema },
        403: { description: 'Not allowed, or every seat is taken', schema: errorBody },
        404: refused,
        409: { description: 'Already accepted, or settled by the IdP or HR', schema: errorBody },
      },
      handle: async ({ actor, params }) => sentJson(await invitations.resend(actor, params.invitationId)),
    }),
    apiRoute({
      method: 'post',
      path: '/invitations/accept',
      summary: 'The invited person accepts with the secret from their mail; their user becomes active',
      action: null,
      public: true,
      body: z.strictObject({ secret: z.string().min(1) }),
      responses: {
        200: {
          description: 'Accepted',
          schema: z.object({ accountId: z.string(), userId: z.string(), userName: z.string() }),
        },
        400: { description: 'No secret in the body', schema: errorBody },
        404: { description: 'Not a valid invitation secret', schema: errorBody },
        409: {
          description:
            'Already accepted; or the IdP or HR activated (invitation.settled) or deactivated (invitation.revoked) the user first',
          schema: errorBody,
        },
        412: { description: 'Expired: ask for it to be resent', schema: errorBody },
        429: {
          description: 'Too many invalid secrets from this address; see Retry-After',
          schema: errorBody,
        },
      },
      handle: async ({ body, req, res }) => {
        try {
          return await invitations.accept(body.secret, requestIdOf(res));
        } catch (err) {
          // An unknown secret is a failed authentication: guessing them is limited per address.
          if (isDomainError(err) && err.code === 'invitation.unknown') await limits.refused(req);
          throw err;
        }
      },
    }),
  ];
}
