/**
 * Segment CRUD, members and preview. Saving a segment validates its definition (problems name
 * their path under `definition`) and evaluates its membership at once, so a new segment has its
 * members when the request returns.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError, notFound } from '../shared/domain-error.ts';
import { compileDefinition } from './compile-definition.ts';
import { evaluateSegment } from './evaluate-membership.ts';
import type { MembershipChange } from './membership-write.ts';
import { isTimeBased, type RuleNode, validateDefinition } from './rule-tree.ts';
import './segment-tables.ts';
import { findTemplate } from './templates.ts';

export interface SegmentInput {
  name?: string;
  description?: string;
  definition?: unknown;
  template?: string;
}

export interface SegmentView {
  id: number;
  name: string;
  description: string;
  definition: RuleNode;
  template: string | null;
  timeBased: boolean;
  memberCount: number;
  evaluatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

function resolveInput(input: SegmentInput, lang: 'ja' | 'en') {
  const template = input.template === undefined ? undefined : findTemplate(input.template);
  if (input.template !== undefined && !template)
    throw new DomainError('invalid', `template: no template "${input.template}"`, [
      { path: 'template', message: `no template "${input.template}"` },
    ]);
  const definition = validateDefinition(input.definition ?? template?.definition);
  const name = input.name ?? template?.name[lang];
  if (!name)
    throw new DomainError('invalid', 'name: is required', [{ path: 'name', message: 'is required' }]);
  return { definition, name, description: input.description ?? template?.description[lang] ?? '' };
}

const columns = [
  'id',
  'name',
  'description',
  'definition',
  'template',
  'time_based',
  'member_count',
  'evaluated_at',
  'created_at',
  'updated_at',
] as const;

function view(r: {
  id: number;
  name: string;
  description: string;
  definition: unknown;
  template: string | null;
  time_based: boolean;
  member_count: number;
  evaluated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}): SegmentView {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    definition: r.definition as RuleNode,
    template: r.template,
    timeBased: r.time_based,
    memberCount: r.member_count,
    evaluatedAt: r.evaluated_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function createSegment(
  db: Kysely<DB>,
  workspaceId: string,
  input: SegmentInput,
  options: { actor?: string; lang?: 'ja' | 'en'; now?: Date } = {},
): Promise<SegmentView> {
  const { definition, name, description } = resolveInput(input, options.lang ?? 'ja');
  const row = await db
    .insertInto('segment')
    .values({
      workspace_id: workspaceId,
      name,
      description,
      definition: JSON.stringify(definition),
      template: input.template ?? null,
      time_based: isTimeBased(definition),
      created_by: options.actor ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await evaluateSegment(db, workspaceId, row.id, options.now ? { now: options.now } : {});
  return getSegment(db, workspaceId, row.id);
}

export async function updateSegment(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
  input: SegmentInput,
  options: { now?: Date; onEvaluated?: (change: MembershipChange) => Promise<void> } = {},
): Promise<SegmentView> {
  const current = await getSegment(db, workspaceId, id);
  const { definition, name, description } = resolveInput(
    { name: current.name, description: current.description, definition: current.definition, ...input },
    'ja',
  );
  await db
    .updateTable('segment')
    .set({
      name,
      description,
      definition: JSON.stringify(definition),
      time_based: isTimeBased(definition),
      updated_at: new Date(),
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
  const change = await evaluateSegment(db, workspaceId, id, options.now ? { now: options.now } : {});
  if (change.entered + change.exited > 0) await options.onEvaluated?.(change);
  return getSegment(db, workspaceId, id);
}

export async function deleteSegment(db: Kysely<DB>, workspaceId: string, id: number): Promise<void> {
  const result = await db
    .deleteFrom('segment')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('segment');
}

export async function getSegment(db: Kysely<DB>, workspaceId: string, id: number): Promise<SegmentView> {
  const row = await db
    .selectFrom('segment')
    .select(columns)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('segment');
  return view(row);
}

export async function listSegments(db: Kysely<DB>, workspaceId: string): Promise<SegmentView[]> {
  const rows = await db
    .selectFrom('segment')
    .select(columns)
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
  return rows.map(view);
}

/** Members in customer id order, `limit` at a time after the cursor `after`. */
export async function listMembers(
  db: Kysely<DB>,
  workspaceId: string,
  segmentId: number,
  page: { limit: number; after?: number },
) {
  await getSegment(db, workspaceId, segmentId);
  const rows = await db
    .selectFrom('segment_member')
    .select(['customer_id', 'entered_at'])
    .where('workspace_id', '=', workspaceId)
    .where('segment_id', '=', segmentId)
    .$if(page.after !== undefined, (q) => q.where('customer_id', '>', page.after ?? 0))
    .orderBy('customer_id')
    .limit(page.limit + 1)
    .execute();
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit).map((r) => ({
    customerId: r.customer_id,
    enteredAt: r.entered_at.toISOString(),
  }));
  return { items, nextCursor: more ? String(items[items.length - 1]?.customerId) : null };
}

/** Count and a sample of the customers an unsaved definition matches. */
export async function previewDefinition(
  db: Kysely<DB>,
  workspaceId: string,
  definition: unknown,
  options: { sample?: number; now?: Date } = {},
) {
  const tree = validateDefinition(definition);
  const matched = compileDefinition(tree, { workspaceId, ...(options.now ? { now: options.now } : {}) });
  const { rows } = await sql<{ count: number; sample: number[] | null }>`
    with matched as materialized (${matched})
    select (select count(*) from matched)::int as count,
      (select array_agg(id order by id) from (select id from matched order by id limit ${options.sample ?? 20}) s) as sample`.execute(
    db,
  );
  const count = rows[0]?.count ?? 0;
  const ids = (rows[0]?.sample ?? []).map(Number);
  const sample = ids.length
    ? await db
        .selectFrom('customer')
        .select(['id', 'family_name', 'given_name'])
        .where('workspace_id', '=', workspaceId)
        .where('id', 'in', ids)
        .orderBy('id')
        .execute()
    : [];
  return {
    count,
    sample: sample.map((c) => ({ id: c.id, familyName: c.family_name, givenName: c.given_name })),
  };
}
