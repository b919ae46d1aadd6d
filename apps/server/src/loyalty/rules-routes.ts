// Loyalty rules: earn rates, tiers, clawback and expiry (reading needs `read`, replacing `admin`).
import { Type } from 'typebox';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { actorOf as actor, tags, workspaceOf as ws } from './route-common.ts';
import { LoyaltyRules, loadRules, saveRules } from './rules.ts';

/** The loyalty rules: read and replace. */
export function registerRulesRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.get(
    '/v1/loyalty/rules',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Earn rules, tiers, clawback and expiry settings',
        response: { 200: LoyaltyRules },
      },
    },
    async (request) => loadRules(db, ws(request)),
  );
  app.put(
    '/v1/loyalty/rules',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Replace the loyalty rules (missing fields take defaults)',
        body: Type.Object({}, { additionalProperties: true }),
        response: { 200: LoyaltyRules },
      },
    },
    async (request) => saveRules(db, ws(request), request.body, actor(request)),
  );
}
