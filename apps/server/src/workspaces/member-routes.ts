import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { Instant, Nullable } from '../shared/response-types.ts';
import { createInvitation, listInvitations, revokeInvitation } from './invitations.ts';
import { managerOf } from './member-rules.ts';
import { changeMemberRole, listMembers, removeMember, revokeMemberAccess } from './members.ts';
import { oneTimeLink } from './one-time-tokens.ts';
import { issueMemberPasswordReset } from './password-resets.ts';
import { ROLES } from './workspaces.ts';

const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Member = Type.Object({ userId: Type.String({ format: 'uuid' }) });
const admin = { scope: 'admin' } as const;
const KeyRef = Type.Object({ id: Type.Integer(), name: Type.String() });
const OneTimeLink = {
  url: Type.String({ description: 'One-time link to pass on yourself' }),
  expiresAt: Instant(),
};
const manager = (request: FastifyRequest) => managerOf(principalOf(request));

/** Members, invitations and password-reset links of a workspace (owners and admins). */
export function registerMemberRoutes(app: App, { database, publicUrl }: RouteDeps): void {
  const { db } = database;
  app.get(
    '/v1/members',
    {
      config: admin,
      schema: {
        tags: ['workspace'],
        summary: 'Members with their role and when they last used this workspace',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                userId: Type.String(),
                email: Type.String(),
                name: Nullable(Type.String()),
                role: Type.String(),
                joinedAt: Instant(),
                lastSeenAt: Nullable(Instant()),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: await listMembers(db, principalOf(request).workspaceId) }),
  );
  app.post(
    '/v1/members',
    {
      config: admin,
      schema: {
        tags: ['workspace'],
        summary: 'Invite someone (with or without an account) to this workspace with a role',
        description:
          'Returns a one-time link, valid 7 days. Kizuna has no email channel yet: the link is shown only to you; ' +
          'pass it to the person yourself. A person without an account sets their own password with it; a ' +
          'person with an account logs in and accepts. Nobody is added before accepting. Only owners invite owners.',
        body: Type.Object(
          { email: Type.String({ maxLength: 254 }), role: Role },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.Integer(), email: Type.String(), role: Type.String(), ...OneTimeLink }),
        },
      },
    },
    async (request, reply) => {
      const { token, expiresAt, ...invitation } = await createInvitation(db, manager(request), request.body);
      return reply.code(201).send({
        ...invitation,
        expiresAt: expiresAt.toISOString(),
        url: oneTimeLink(publicUrl, 'invite', token),
      });
    },
  );
  app.patch(
    '/v1/members/:userId',
    {
      config: admin,
      schema: {
        tags: ['workspace'],
        summary: "Change a member's role (only owners make or demote owners; the last owner stays)",
        params: Member,
        body: Type.Object({ role: Role }, { additionalProperties: false }),
        response: { 200: Type.Object({ userId: Type.String(), role: Type.String() }) },
      },
    },
    async (request) => changeMemberRole(db, manager(request), request.params.userId, request.body.role),
  );
  app.delete(
    '/v1/members/:userId',
    {
      config: admin,
      schema: {
        tags: ['workspace'],
        summary:
          'Remove a member: their access here ends at once and the API keys they created here are revoked',
        description: '`keepApiKeys=true` keeps their keys working (a planned handover; rotate them soon).',
        params: Member,
        querystring: Type.Object({ keepApiKeys: Type.Boolean({ default: false }) }),
        response: {
          200: Type.Object({
            userId: Type.String(),
            apiKeysRevoked: Type.Array(KeyRef),
            loggedOut: Type.Boolean({
              description: 'False when the user still belongs to another workspace',
            }),
          }),
        },
      },
    },
    async (request) =>
      removeMember(db, manager(request), request.params.userId, { keepApiKeys: request.query.keepApiKeys }),
  );
  app.post(
    '/v1/members/:userId/revoke',
    {
      config: admin,
      schema: {
        tags: ['workspace'],
        summary: "End a member's sessions in this workspace and/or revoke the API keys they created here",
        params: Member,
        body: Type.Object(
          { sessions: Type.Boolean({ default: true }), apiKeys: Type.Boolean({ default: true }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ sessionsRevoked: Type.Boolean(), apiKeysRevoked: Type.Array(KeyRef) }),
        },
      },
    },
    async (request) => revokeMemberAccess(db, manager(request), request.params.userId, request.body),
  );
  app.post(
    '/v1/members/:userId/password-reset',
    {
      config: admin,
      schema: {
        tags: ['workspace'],
        summary: 'A one-time link for a member to set a new password (24 h)',
        description:
          'Only for a member who belongs to no other workspace (otherwise an admin here could take over an ' +
          'account used elsewhere): they can change their password themselves, or the operator runs ' +
          '`kizuna users reset-password`. Admins cannot reset owners. Pass the link to the member yourself.',
        params: Member,
        response: { 200: Type.Object(OneTimeLink) },
      },
    },
    async (request) => {
      const { token, expiresAt } = await issueMemberPasswordReset(
        db,
        manager(request),
        request.params.userId,
      );
      return { url: oneTimeLink(publicUrl, 'reset-password', token), expiresAt: expiresAt.toISOString() };
    },
  );
  app.get(
    '/v1/invitations',
    {
      config: admin,
      schema: {
        tags: ['workspace'],
        summary: 'Pending invitations',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                email: Type.String(),
                role: Type.String(),
                invitedBy: Nullable(Type.String()),
                createdAt: Instant(),
                expiresAt: Instant(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: await listInvitations(db, principalOf(request).workspaceId) }),
  );
  app.delete(
    '/v1/invitations/:id',
    {
      config: admin,
      schema: {
        tags: ['workspace'],
        summary: 'Withdraw a pending invitation (its link stops working)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Object({ revoked: Type.Literal(true) }) },
      },
    },
    async (request) => {
      await revokeInvitation(db, manager(request), request.params.id);
      return { revoked: true as const };
    },
  );
}
