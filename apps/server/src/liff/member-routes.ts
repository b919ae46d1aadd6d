// The LIFF app's API: open a member session with an ID token, then read the member's own card,
// points, stamp cards and coupons and answer the survey. Member routes carry `config.member`
// (member-auth.ts) and no scope, so no staff session or API key reaches them.
import { type TSchema, Type } from 'typebox';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { startLiffSession } from './liff-session.ts';
import { memberOf } from './member-auth.ts';
import { linkMemberAccount } from './member-link.ts';
import {
  COUPONS_MAX,
  memberCard,
  memberCoupon,
  memberCoupons,
  memberPoints,
  memberStampCards,
  POINTS_PAGE_MAX,
} from './member-reads.ts';
import {
  AnswerValue,
  MemberCard,
  MemberCoupon,
  MemberCoupons,
  MemberPoints,
  MemberProfile,
  MemberStampCards,
} from './member-schemas.ts';
import { endMemberSession } from './member-sessions.ts';
import { readProfile, saveProfile } from './survey-answers.ts';

const tags = ['liff'];
const member = { member: true };
const NoQuery = Type.Object({}, { additionalProperties: false });

const LinkResult = Type.Object({
  status: Type.Union([Type.Literal('linked'), Type.Literal('already_linked')]),
});

const Session = Type.Object({
  token: Type.String({ description: 'Send as Authorization: Bearer … to /v1/liff/me/*' }),
  tokenType: Type.Literal('Bearer'),
  expiresAt: Type.String({ format: 'date-time' }),
  expiresInSeconds: Type.Integer({
    description: 'the lifetime; renew before it runs out by posting a fresh ID token',
  }),
  firstOpen: Type.Boolean({ description: 'true until the member has answered the survey' }),
  newCustomer: Type.Boolean(),
  card: Type.Optional(MemberCard),
});

/** A member GET route: no query string unless given, and its response shape. */
const read = <T extends TSchema>(summary: string, response: T) => ({
  config: member,
  schema: { tags, summary, querystring: NoQuery, response: { 200: response } },
});

export function registerMemberRoutes(app: App, deps: RouteDeps): void {
  const { database, secrets, clock, lineHosts } = deps;
  const db = database.db;
  app.post(
    '/v1/liff/session',
    {
      schema: {
        tags,
        summary: "Open a member session with the LIFF app's ID token (liff.getIDToken()); re-post to renew",
        security: [],
        body: Type.Object(
          {
            liffId: Type.String({ minLength: 1, maxLength: 60, pattern: '^[0-9]{1,20}-[A-Za-z0-9]{1,20}$' }),
            idToken: Type.String({ minLength: 1, maxLength: 4096 }),
            nonce: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            withCard: Type.Optional(
              Type.Boolean({
                description: 'also answer the card (GET /v1/liff/me/card): one round trip less',
              }),
            ),
            src: Type.Optional(
              Type.String({
                maxLength: 40,
                description:
                  'The attribution source code the app was opened with (?src=); unknown codes are ignored',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Session },
      },
    },
    async (request) => startLiffSession(db, { hosts: lineHosts, secrets }, request.body, clock.now()),
  );
  app.delete(
    '/v1/liff/session',
    {
      config: member,
      schema: {
        tags,
        summary: 'End the member session',
        querystring: NoQuery,
        response: { 204: Type.Null({ description: 'Ended' }) },
      },
    },
    async (request, reply) => {
      await endMemberSession(db, memberOf(request));
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/v1/liff/me/card',
    read('The membership card with a freshly signed QR for the till', MemberCard),
    async (request) => memberCard(db, secrets, memberOf(request), clock.now()),
  );
  app.get(
    '/v1/liff/me/points',
    {
      config: member,
      schema: {
        tags,
        summary: 'Points: balance, expiring soon, history (newest first, paginated with before)',
        querystring: Type.Object(
          {
            before: Type.Optional(
              Type.Integer({ minimum: 1, description: 'nextBefore of the previous page' }),
            ),
            limit: Type.Integer({ minimum: 1, maximum: POINTS_PAGE_MAX, default: 20 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: MemberPoints },
      },
    },
    async (request) => memberPoints(db, memberOf(request), request.query, clock.now()),
  );
  app.get(
    '/v1/liff/me/stamp-cards',
    read('Stamp cards: progress and rewards', MemberStampCards),
    async (request) => ({
      items: await memberStampCards(db, memberOf(request)),
    }),
  );
  app.get(
    '/v1/liff/me/coupons',
    {
      config: member,
      schema: {
        tags,
        summary: `The member's coupons: usable, used or expired (at most ${COUPONS_MAX})`,
        querystring: Type.Object(
          {
            state: Type.Optional(
              Type.Union([Type.Literal('usable'), Type.Literal('used'), Type.Literal('expired')]),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: MemberCoupons },
      },
    },
    async (request) => ({
      items: await memberCoupons(db, memberOf(request), request.query.state, clock.now()),
    }),
  );
  app.get(
    '/v1/liff/me/coupons/:code',
    {
      config: member,
      schema: {
        tags,
        summary: "One of the member's coupons, with the code to show at the till",
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 40 }) }),
        querystring: NoQuery,
        response: { 200: MemberCoupon },
      },
    },
    async (request) => memberCoupon(db, memberOf(request), request.params.code, clock.now()),
  );
  app.get(
    '/v1/liff/me/profile',
    read("The survey questions and the member's answers", MemberProfile),
    async (request) => {
      const { workspaceId, customerId } = memberOf(request);
      return readProfile(db, workspaceId, customerId);
    },
  );
  app.put(
    '/v1/liff/me/profile',
    {
      config: member,
      schema: {
        tags,
        summary: 'Answer (or edit) the survey; saved to the customer and to LINE marketing consent',
        body: Type.Object(
          {
            answers: Type.Record(Type.String(), AnswerValue, {
              maxProperties: 30,
              propertyNames: { maxLength: 40 },
              description: 'question key → answer (a choice, a list of choices, text, or null to clear)',
            }),
            marketingConsent: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: MemberProfile },
      },
    },
    async (request) => saveProfile(db, memberOf(request), request.body, clock.now(), deps.jobs?.publish),
  );
  app.post(
    '/v1/liff/me/link',
    {
      config: member,
      schema: {
        tags,
        summary:
          "Link the member's existing shop account (member number + phone's last 4 digits or email); the two records merge",
        body: Type.Object(
          {
            memberNo: Type.String({
              minLength: 1,
              maxLength: 40,
              description: "the shop's member number or the card's",
            }),
            phoneLast4: Type.Optional(Type.String({ minLength: 4, maxLength: 8 })),
            email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: LinkResult },
      },
    },
    async (request) => {
      const { status } = await linkMemberAccount(
        db,
        memberOf(request),
        request.body,
        clock.now(),
        deps.jobs?.publish,
      );
      return { status };
    },
  );
}
