import { Type } from 'typebox';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { recordClick } from './record-click.ts';

/** The click redirect: public (a customer follows it from LINE or email), no login. */
export function registerClickRoutes(app: App, deps: RouteDeps): void {
  app.get(
    '/r/:token',
    {
      schema: {
        // Not part of the API integrators call (customers' phones follow it from a message), and
        // it answers a 302 rather than JSON: kept out of the OpenAPI document and the contracts.
        hide: true,
        tags: ['clicks'],
        summary: 'クリック計測のリダイレクト / Click-tracking redirect: records the click and answers 302',
        params: Type.Object({ token: Type.String({ minLength: 10, maxLength: 100 }) }),
      },
    },
    async (request, reply) => {
      const url = await recordClick(deps.database.db, deps.secrets, request.params.token, deps.clock.now());
      return reply.code(302).header('location', url).header('cache-control', 'no-store').send();
    },
  );
}
