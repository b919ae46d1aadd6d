// /v1/campaigns: marketers (the `send` scope) write and send, viewers (`read`) read.
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { cancelCampaign, scheduleCampaign, sendCampaignNow } from './campaign-lifecycle.ts';
import { listCampaignRecipients } from './campaign-recipients.ts';
import { campaignResults } from './campaign-results.ts';
import { getCampaign, listCampaigns } from './campaign-view.ts';
import { createCampaign } from './create-campaign.ts';
import { getLinePlan, putLinePlan } from './line-plan.ts';
import { Campaign, CampaignBody, LinePlanBody, LinePlanSchema, Results, Status } from './route-schemas.ts';

const tags = ['campaigns'];
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/** Campaign routes: writing and sending (`send`), reading (`read`), the LINE plan (`admin` to set). */
export function registerCampaignRoutes(app: App, deps: RouteDeps): void {
  registerWriteRoutes(app, deps);
  registerLifecycleRoutes(app, deps);
  registerReadRoutes(app, deps);
  registerRecipientRoutes(app, deps);
  registerLinePlanRoutes(app, deps);
}

function registerWriteRoutes(app: App, deps: RouteDeps): void {
  const db = deps.database.db;
  app.post(
    '/v1/campaigns',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'キャンペーン作成 / Create a draft campaign (Liquid checked against sample customers)',
        body: CampaignBody,
        response: { 201: Campaign },
      },
    },
    async (request, reply) => {
      const { workspaceId, actor } = principalOf(request);
      const c = await createCampaign(db, workspaceId, request.body, {
        actor,
        linkBase: deps.publicUrl,
        now: deps.clock.now(),
      });
      return reply.code(201).send(c);
    },
  );
}

function registerLifecycleRoutes(app: App, deps: RouteDeps): void {
  const db = deps.database.db;
  app.post(
    '/v1/campaigns/:id/schedule',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: '配信予約 / Schedule a draft for an instant (e.g. 2027-01-01T10:00:00+09:00)',
        params: IdParams,
        body: Type.Object(
          { at: Type.String({ format: 'date-time', maxLength: 40 }) },
          { additionalProperties: false },
        ),
        response: { 200: Campaign },
      },
    },
    async (request) =>
      scheduleCampaign(
        db,
        principalOf(request).workspaceId,
        request.params.id,
        new Date(request.body.at),
        deps.clock.now(),
      ),
  );
  app.post(
    '/v1/campaigns/:id/send',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: '今すぐ配信 / Send now (repeating it sends nothing more)',
        params: IdParams,
        response: { 200: Campaign },
      },
    },
    async (request) =>
      sendCampaignNow(db, deps.jobs, principalOf(request).workspaceId, request.params.id, deps.clock.now()),
  );
  app.post(
    '/v1/campaigns/:id/cancel',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'Cancel a draft or scheduled campaign',
        params: IdParams,
        response: { 200: Campaign },
      },
    },
    async (request) =>
      cancelCampaign(db, principalOf(request).workspaceId, request.params.id, deps.clock.now()),
  );
}

function registerReadRoutes(app: App, deps: RouteDeps): void {
  const db = deps.database.db;
  app.get(
    '/v1/campaigns',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Campaigns, newest first',
        querystring: Type.Object({
          cursor: Type.Optional(
            Type.String({
              maxLength: 19,
              pattern: '^[1-9][0-9]{0,18}$',
              description: 'nextCursor from the previous page',
            }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
          status: Type.Optional(Status),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Campaign),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const { cursor, limit = 20, status } = request.query;
      return listCampaigns(db, principalOf(request).workspaceId, {
        limit,
        before: cursor === undefined ? undefined : Number(cursor),
        status,
      });
    },
  );
  app.get(
    '/v1/campaigns/:id',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'A campaign', params: IdParams, response: { 200: Campaign } },
    },
    async (request) => getCampaign(db, principalOf(request).workspaceId, request.params.id),
  );
  app.get(
    '/v1/campaigns/:id/results',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: '効果測定 / Results per variant and holdout: lift with 95% intervals, LINE message cost',
        params: IdParams,
        response: { 200: Results },
      },
    },
    async (request) => campaignResults(db, principalOf(request).workspaceId, request.params.id),
  );
}

function registerRecipientRoutes(app: App, deps: RouteDeps): void {
  const db = deps.database.db;
  const Decision = Type.Union([Type.Literal('holdout'), Type.Literal('send'), Type.Literal('render_failed')]);
  app.get(
    '/v1/campaigns/:id/recipients',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: '配信対象 / The audience as fixed at send: each customer’s bucket, variant and decision',
        params: IdParams,
        querystring: Type.Object({
          cursor: Type.Optional(
            Type.String({
              maxLength: 19,
              pattern: '^[1-9][0-9]{0,18}$',
              description: 'nextCursor from the previous page',
            }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          decision: Type.Optional(Decision),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                customerId: Type.Integer(),
                bucket: Type.Integer({ description: '0–9999, from a hash of the campaign and the customer' }),
                variant: Type.Union([Type.String(), Type.Null()]),
                decision: Decision,
                detail: Type.Union([Type.String(), Type.Null()], {
                  description: 'why the content did not render',
                }),
              }),
            ),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const { cursor, limit = 100, decision } = request.query;
      return listCampaignRecipients(db, principalOf(request).workspaceId, request.params.id, {
        limit,
        afterCustomerId: cursor === undefined ? undefined : Number(cursor),
        decision,
      });
    },
  );
}

function registerLinePlanRoutes(app: App, deps: RouteDeps): void {
  const db = deps.database.db;
  app.get(
    '/v1/campaigns/line-plan',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "The workspace's LINE plan that prices campaign messages",
        response: { 200: LinePlanSchema },
      },
    },
    async (request) => getLinePlan(db, principalOf(request).workspaceId),
  );
  app.put(
    '/v1/campaigns/line-plan',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Set the LINE plan (料金プラン)',
        body: LinePlanBody,
        response: { 200: LinePlanSchema },
      },
    },
    async (request) => {
      return putLinePlan(db, principalOf(request).workspaceId, request.body, deps.clock.now());
    },
  );
}
