// Staff routes of the LIFF capability: connect a channel's LIFF app (admin) and configure the
// first-open survey (admin; read to see it).
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { deleteLiffApp, listLiffApps, saveLiffApp } from './liff-apps.ts';
import { loadSurvey, MAX_QUESTIONS, SurveyQuestion, saveSurvey } from './survey.ts';

const tags = ['liff'];
const LiffApp = Type.Object({
  channelId: Type.String(),
  liffId: Type.String(),
  loginChannelId: Type.String(),
  loginChannelSecretSet: Type.Boolean({ description: 'the secret itself is never returned' }),
  liffUrl: Type.String(),
  updatedAt: Type.String({ format: 'date-time' }),
});
const ChannelParams = Type.Object({ channelId: Type.String({ maxLength: 100 }) });
const Survey = Type.Object({ questions: Type.Array(SurveyQuestion, { maxItems: MAX_QUESTIONS }) });

export function registerLiffAdminRoutes(app: App, { database, secrets, clock }: RouteDeps): void {
  const db = database.db;
  app.put(
    '/v1/liff/apps/:channelId',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary:
          "Connect a LINE channel's LIFF app and its LINE Login channel (the secret is sealed, never returned)",
        params: ChannelParams,
        body: Type.Object(
          {
            liffId: Type.String({
              maxLength: 60,
              pattern: '^[0-9]{1,20}-[A-Za-z0-9]{1,20}$',
              description: 'e.g. 2000000001-AbCdEfGh',
            }),
            loginChannelId: Type.String({ maxLength: 20, pattern: '^[0-9]{1,20}$' }),
            loginChannelSecret: Type.String({ minLength: 1, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: LiffApp },
      },
    },
    async (request) =>
      saveLiffApp(
        db,
        secrets,
        principalOf(request).workspaceId,
        request.params.channelId,
        request.body,
        clock.now(),
      ),
  );
  app.get(
    '/v1/liff/apps',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Connected LIFF apps',
        response: { 200: Type.Object({ items: Type.Array(LiffApp) }) },
      },
    },
    async (request) => ({ items: await listLiffApps(db, principalOf(request).workspaceId) }),
  );
  app.delete(
    '/v1/liff/apps/:channelId',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: "Disconnect a channel's LIFF app",
        params: ChannelParams,
        response: { 204: Type.Null({ description: 'Disconnected' }) },
      },
    },
    async (request, reply) => {
      await deleteLiffApp(db, principalOf(request).workspaceId, request.params.channelId);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/v1/liff/survey',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The first-open survey (the default one until configured)',
        response: { 200: Survey },
      },
    },
    async (request) => ({ questions: await loadSurvey(db, principalOf(request).workspaceId) }),
  );
  app.put(
    '/v1/liff/survey',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: 'Configure the first-open survey', body: Survey, response: { 200: Survey } },
    },
    async (request) => ({
      questions: await saveSurvey(db, principalOf(request).workspaceId, request.body.questions, clock.now()),
    }),
  );
}
