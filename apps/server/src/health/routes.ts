import { Type } from 'typebox';
import { currentVersion } from '../db/migrate.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';

const QueueStat = Type.Object({
  name: Type.String(),
  ready: Type.Integer({ description: 'jobs that may run now' }),
  deferred: Type.Integer({
    description: 'jobs waiting for their start time (a retry backoff, a later send)',
  }),
  retrying: Type.Integer({ description: 'of ready and deferred, jobs that failed before' }),
  active: Type.Integer(),
  failed: Type.Integer({ description: 'jobs that failed on their last attempt (kept 14 days)' }),
  oldestReadyAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  oldestReadySeconds: Type.Union([Type.Number(), Type.Null()], {
    description: 'age of the oldest ready job: how far behind the queue is',
  }),
});

const Unavailable = Type.Object(
  {
    status: Type.Literal('unavailable'),
    reason: Type.String({ description: 'what keeps the API from serving, for an operator' }),
  },
  { description: 'The process is up but cannot serve requests (its database does not answer).' },
);

export function registerHealthRoutes(app: App, { database, jobs }: RouteDeps): void {
  /** The migration version, or null when the database does not answer (a 503 rather than a 500). */
  const version = async (): Promise<number | null> => {
    try {
      return await currentVersion(database);
    } catch {
      return null;
    }
  };
  app.get(
    '/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Readiness: 200 only when the API can serve (its database answers), else 503',
        security: [],
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            database: Type.String(),
            migrationVersion: Type.Integer(),
          }),
          503: Unavailable,
        },
      },
    },
    async (_request, reply) => {
      const migrationVersion = await version();
      if (migrationVersion === null)
        return reply
          .code(503)
          .send({ status: 'unavailable' as const, reason: 'the database does not answer' });
      return { status: 'ok' as const, database: database.kind, migrationVersion };
    },
  );
  // The job queues are the deployment's, not one workspace's; the figures hold no customer data,
  // but how busy the deployment is is an operator's concern: an admin key.
  app.get(
    '/health/detail',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['system'],
        summary: 'Health with the job queues: depth and age of the oldest ready job, per queue',
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            database: Type.String(),
            migrationVersion: Type.Integer(),
            jobs: Type.Union([Type.Object({ queues: Type.Array(QueueStat) }), Type.Null()], {
              description: 'null when this process runs without the job system',
            }),
          }),
        },
      },
    },
    async () => ({
      status: 'ok' as const,
      database: database.kind,
      migrationVersion: await currentVersion(database),
      jobs: jobs ? { queues: await jobs.queueStats() } : null,
    }),
  );
}
