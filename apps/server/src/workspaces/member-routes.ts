import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { createInvitation, listInvitations, revokeInvitation } from './invitations.ts';
import { managerOf } from './member-rules.ts';
import { changeMemberRole, listMembers, removeMember, revokeMemberAccess } from './members.ts';
import { oneTimeLink } from './one-time-tokens.ts';
import { issueMemberPasswordReset } from './password-resets.ts';
import { ROLES } from './workspaces.ts';

const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Member = Type.Object({ userId: Type.String({ format: 'uuid' }) });
const admin = { scope: 'admin' } as const;
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
      },
    },
    async (request, reply) => {
      const { token, ...invitation } = await createInvitation(db, manager(request), request.body);
      return reply.code(201).send({ ...invitation, url: oneTimeLink(publicUrl, 'invite', token) });
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
      },
    },
    async (request) => {
      const { token, expiresAt } = await issueMemberPasswordReset(
        db,
        manager(request),
        request.params.userId,
      );
      return { url: oneTimeLink(publicUrl, 'reset-password', token), expiresAt };
    },
  );
  app.get(
    '/v1/invitations',
    { config: admin, schema: { tags: ['workspace'], summary: 'Pending invitations' } },
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
      },
    },
    async (request) => {
      await revokeInvitation(db, manager(request), request.params.id);
      return { revoked: true };
    },
  );
}
