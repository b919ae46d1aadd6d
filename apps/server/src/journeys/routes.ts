// /v1/journeys: marketers (the `send` scope) create, edit and run journeys; viewers (`read`) read.

import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { journeyResults } from './journey-results.ts';
import {
  createJourney,
  getJourney,
  type JourneyTransition,
  listJourneys,
  putDefinition,
  transitionJourney,
} from './journeys.ts';
import { JourneyResultsSchema, ResultsQuery } from './results-schema.ts';
import {
  DefinitionInput,
  IdParams,
  Journey,
  JourneyInput,
  JourneyList,
  ListQuery,
  Template,
} from './route-schemas.ts';
import { registerRunRoutes } from './run-routes.ts';
import { JOURNEY_TEMPLATES } from './templates.ts';

const tags = ['journeys'];
const after = (cursor: string | undefined) => (cursor === undefined ? undefined : Number(cursor));

const TRANSITIONS: { action: JourneyTransition; summary: string }[] = [
  { action: 'publish', summary: 'Publish: new runs enter the latest version from now on' },
  { action: 'pause', summary: 'Pause: due steps wait and no run enters; nothing is lost' },
  { action: 'resume', summary: 'Resume a paused journey: waiting steps go on' },
  { action: 'archive', summary: 'Archive: active runs exit (archived); the journey is read-only' },
];

/** The journey routes. */
export function registerJourneyRoutes(app: App, { database, clock, publicUrl }: RouteDeps): void {
  const db = database.db;
  app.get(
    '/v1/journeys/templates',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Journey templates (Japanese and English)',
        response: { 200: Type.Object({ items: Type.Array(Template) }) },
      },
    },
    async () => ({ items: [...JOURNEY_TEMPLATES] }),
  );
  app.get(
    '/v1/journeys',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Journeys, newest first',
        querystring: ListQuery,
        response: { 200: JourneyList },
      },
    },
    async (request) =>
      listJourneys(db, principalOf(request).workspaceId, {
        limit: request.query.limit ?? 50,
        after: after(request.query.cursor),
        status: request.query.status,
      }),
  );
  app.post(
    '/v1/journeys',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'Create a draft journey (version 1)',
        body: JourneyInput,
        response: { 201: Journey },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await createJourney(db, principalOf(request).workspaceId, request.body, publicUrl)),
  );
  app.get(
    '/v1/journeys/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'A journey with its latest definition',
        params: IdParams,
        response: { 200: Journey },
      },
    },
    async (request) => getJourney(db, principalOf(request).workspaceId, request.params.id),
  );
  app.put(
    '/v1/journeys/:id/definition',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary:
          'A new version. On a live journey new runs enter it; runs under way keep the version they entered (実行中のお客様は開始時のバージョンのまま進みます)',
        params: IdParams,
        body: DefinitionInput,
        response: { 200: Journey },
      },
    },
    async (request) => putDefinition(db, principalOf(request).workspaceId, request.params.id, request.body),
  );
  for (const { action, summary } of TRANSITIONS)
    app.post(
      `/v1/journeys/:id/${action}`,
      { config: { scope: 'send' }, schema: { tags, summary, params: IdParams, response: { 200: Journey } } },
      async (request) =>
        transitionJourney(db, principalOf(request).workspaceId, request.params.id, action, clock.now()),
    );
  app.get(
    '/v1/journeys/:id/results',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary:
          '効果測定 / Results per send step, and the lift over the holdout with 95% intervals and the LINE message cost',
        params: IdParams,
        querystring: ResultsQuery,
        response: { 200: JourneyResultsSchema },
      },
    },
    async (request) =>
      journeyResults(db, principalOf(request).workspaceId, request.params.id, {
        attributionDays: request.query.attributionDays,
      }),
  );
  registerRunRoutes(app, { database, clock });
}
