import type { Transaction } from 'kysely';
import { type TSchema, Type } from 'typebox';
import type { DB } from '../db/schema.ts';
import { principalOf } from '../http/auth.ts';
import { type App, type RouteDeps, selfValidatedBody } from '../http/route-deps.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import { DomainError } from '../shared/domain-error.ts';
import { compileValidator } from '../shared/validate.ts';
import { ingestBatch, MAX_BATCH } from './ingest-batch.ts';

const Problem = Type.Object({ path: Type.String(), message: Type.String() });

/**
 * Registers `POST path` taking `{ [field]: Item[] }` (≤1,000) with the ingest contract of
 * ingestBatch: all-or-nothing by default, `?partial=true` to store the valid items.
 */
export function registerBatchRoute<T, R extends object>(
  app: App,
  deps: RouteDeps,
  spec: {
    path: string;
    field: string;
    tag: string;
    summary: string;
    item: TSchema;
    result: TSchema;
    write: (
      tx: Transaction<DB>,
      workspaceId: string,
      items: { index: number; item: T }[],
      publish: Publish,
    ) => Promise<(R & { index: number })[]>;
  },
): void {
  const validator = compileValidator<T>(spec.item);
  // Without a job system (some tests) there is nobody to tell.
  const publish: Publish = deps.jobs ? deps.jobs.publish : async () => undefined;
  app.post(
    spec.path,
    {
      ...selfValidatedBody,
      config: { scope: 'ingest' },
      schema: {
        tags: [spec.tag],
        summary: spec.summary,
        querystring: Type.Object({
          partial: Type.Optional(Type.Boolean({ description: 'Store the valid items and report the rest' })),
        }),
        body: Type.Object(
          { [spec.field]: Type.Array(spec.item, { maxItems: MAX_BATCH }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            accepted: Type.Array(Type.Intersect([Type.Object({ index: Type.Integer() }), spec.result])),
            rejected: Type.Array(Type.Object({ index: Type.Integer(), problems: Type.Array(Problem) })),
          }),
        },
      },
    },
    async (request) => {
      const body = request.body as Record<string, unknown> | null;
      const items = body?.[spec.field];
      if (!body || typeof body !== 'object' || !Array.isArray(items)) {
        throw new DomainError('invalid', `${spec.field}: must be an array`, [
          { path: spec.field, message: 'must be an array' },
        ]);
      }
      const extra = Object.keys(body).filter((k) => k !== spec.field);
      if (extra.length)
        throw new DomainError('invalid', `${extra[0]}: is not a known field`, [
          { path: extra[0]!, message: 'is not a known field' },
        ]);
      const partial = (request.query as { partial?: string | boolean }).partial;
      const workspaceId = principalOf(request).workspaceId;
      return ingestBatch(
        deps.database.db,
        { field: spec.field, items, partial: partial === true || partial === 'true' },
        validator,
        (tx, valid) => spec.write(tx, workspaceId, valid, publish),
      );
    },
  );
}
