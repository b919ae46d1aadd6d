import { Type } from 'typebox';
import { currentVersion } from '../db/migrate.ts';
import type { App, RouteDeps } from '../http/app.ts';

export function registerHealthRoutes(app: App, { database }: RouteDeps): void {
  app.get(
    '/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness, database kind and migration version',
        security: [],
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            database: Type.String(),
            migrationVersion: Type.Integer(),
          }),
        },
      },
    },
    async () => ({
      status: 'ok' as const,
      database: database.kind,
      migrationVersion: await currentVersion(database),
    }),
  );
}
