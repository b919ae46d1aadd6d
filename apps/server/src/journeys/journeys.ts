// A journey and its versions: create, edit (a new version), publish, pause, resume, archive.
// Editing a live journey publishes the new version for new runs; runs already under way keep
// the version they entered on (journey_run.version).
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { DomainError, invalid, notFound } from '../shared/domain-error.ts';
import { checkJourneyReferences } from './check-references.ts';
import { initTriggerCursor } from './consume-triggers.ts';
import { type JourneyDefinition, triggerKind } from './definition.ts';
import { checkJourneyContent } from './journey-content.ts';
import type { JourneyStatus } from './journey-tables.ts';
import { validateJourneyDefinition } from './validate-definition.ts';

export interface JourneyView {
  id: number;
  name: string;
  status: JourneyStatus;
  /** The version new runs enter (null until published). Runs under way keep their own. */
  liveVersion: number | null;
  latestVersion: number;
  definition: JourneyDefinition;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: number;
  name: string;
  status: JourneyStatus;
  live_version: number | null;
  latest_version: number;
  definition: JourneyDefinition;
  created_at: Date;
  updated_at: Date;
}

const view = (r: Row): JourneyView => ({
  id: Number(r.id),
  name: r.name,
  status: r.status,
  liveVersion: r.live_version,
  latestVersion: r.latest_version,
  definition: r.definition,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim().length < 1 || name.length > 200)
    throw invalid([{ path: 'name', message: 'must be 1 to 200 characters' }]);
  return name;
}

/** Creates a draft journey at version 1. */
export async function createJourney(
  db: Kysely<DB>,
  workspaceId: string,
  input: { name: string; definition: unknown },
  /** The public URL its sends' links redirect through (`deps.publicUrl`); absent: untracked. */
  linkBase?: string,
): Promise<JourneyView> {
  const name = checkName(input.name);
  const definition = validateJourneyDefinition(input.definition);
  await checkJourneyReferences(db, workspaceId, definition);
  await checkJourneyContent(db, workspaceId, definition);
  return transact(db, async (tx) => {
    const { rows } = await sql<{ id: number }>`
      insert into journey (workspace_id, name, link_base)
      values (${workspaceId}, ${name}, ${linkBase ?? null}) returning id`.execute(tx);
    const id = Number(rows[0]!.id);
    await sql`insert into journey_version (workspace_id, journey_id, version, definition)
      values (${workspaceId}, ${id}, 1, ${JSON.stringify(definition)}::jsonb)`.execute(tx);
    return getJourney(tx, workspaceId, id);
  });
}

/** The journey with its latest definition. */
export async function getJourney(db: Kysely<DB>, workspaceId: string, id: number): Promise<JourneyView> {
  const { rows } = await sql<Row>`
    select j.id, j.name, j.status, j.live_version, j.latest_version, v.definition, j.created_at, j.updated_at
    from journey j join journey_version v
      on v.workspace_id = j.workspace_id and v.journey_id = j.id and v.version = j.latest_version
    where j.workspace_id = ${workspaceId} and j.id = ${id}`.execute(db);
  if (!rows[0]) throw notFound(`journey ${id}`);
  return view(rows[0]);
}

/** Journeys newest first, `limit` a page, `after` the last id of the previous page. */
export async function listJourneys(
  db: Kysely<DB>,
  workspaceId: string,
  options: { limit: number; after?: number | undefined; status?: JourneyStatus | undefined },
): Promise<{ items: JourneyView[]; nextCursor: string | null }> {
  const { rows } = await sql<Row>`
    select j.id, j.name, j.status, j.live_version, j.latest_version, v.definition, j.created_at, j.updated_at
    from journey j join journey_version v
      on v.workspace_id = j.workspace_id and v.journey_id = j.id and v.version = j.latest_version
    where j.workspace_id = ${workspaceId}
      and (${options.after ?? null}::bigint is null or j.id < ${options.after ?? null}::bigint)
      and (${options.status ?? null}::text is null or j.status = ${options.status ?? null}::text)
    order by j.id desc limit ${options.limit + 1}`.execute(db);
  const items = rows.slice(0, options.limit).map(view);
  return { items, nextCursor: rows.length > options.limit ? String(items.at(-1)!.id) : null };
}

async function lockJourney(tx: Transaction<DB>, workspaceId: string, id: number) {
  const { rows } = await sql<{ status: JourneyStatus; latest_version: number; live_version: number | null }>`
    select status, latest_version, live_version from journey
    where workspace_id = ${workspaceId} and id = ${id} for update`.execute(tx);
  if (!rows[0]) throw notFound(`journey ${id}`);
  return rows[0];
}

function invalidTransition(id: number, from: JourneyStatus, action: string): DomainError {
  return new DomainError('conflict', `journey ${id} is ${from}: cannot ${action}`, [], {
    reason: 'invalid_transition',
  });
}

/**
 * Stores a new version. A live or paused journey's new runs enter it at once; runs already under
 * way continue on the version they entered.
 */
export async function putDefinition(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
  input: { definition: unknown; name?: string | undefined },
): Promise<JourneyView> {
  const definition = validateJourneyDefinition(input.definition);
  const name = input.name === undefined ? undefined : checkName(input.name);
  await checkJourneyReferences(db, workspaceId, definition);
  await checkJourneyContent(db, workspaceId, definition);
  return transact(db, async (tx) => {
    const j = await lockJourney(tx, workspaceId, id);
    if (j.status === 'archived') throw invalidTransition(id, j.status, 'edit');
    const version = j.latest_version + 1;
    await sql`insert into journey_version (workspace_id, journey_id, version, definition)
      values (${workspaceId}, ${id}, ${version}, ${JSON.stringify(definition)}::jsonb)`.execute(tx);
    const published = j.status === 'live' || j.status === 'paused';
    await sql`update journey set latest_version = ${version}, name = coalesce(${name ?? null}, name),
      live_version = case when ${published} then ${version} else live_version end,
      trigger_kind = case when ${published} then ${triggerKind(definition.trigger)} else trigger_kind end,
      updated_at = now()
      where workspace_id = ${workspaceId} and id = ${id}`.execute(tx);
    return getJourney(tx, workspaceId, id);
  });
}

export type JourneyTransition = 'publish' | 'pause' | 'resume' | 'archive';

const ALLOWED: Record<JourneyTransition, { from: JourneyStatus[]; to: JourneyStatus }> = {
  publish: { from: ['draft'], to: 'live' },
  pause: { from: ['live'], to: 'paused' },
  resume: { from: ['paused'], to: 'live' },
  archive: { from: ['draft', 'live', 'paused'], to: 'archived' },
};

/**
 * Moves the journey's status. Pause: due runs wait where they are (the engine claims runs of live
 * journeys only) and no new runs enter; resume: they go on. Archive: active runs exit
 * (`archived`). Publishing makes the latest version the live one.
 */
export async function transitionJourney(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
  action: JourneyTransition,
  now: Date,
): Promise<JourneyView> {
  return transact(db, async (tx) => {
    const j = await lockJourney(tx, workspaceId, id);
    const rule = ALLOWED[action];
    if (!rule.from.includes(j.status)) throw invalidTransition(id, j.status, action);
    if (action === 'publish') {
      const current = await getJourney(tx, workspaceId, id);
      await sql`update journey set live_version = latest_version,
        trigger_kind = ${triggerKind(current.definition.trigger)}
        where workspace_id = ${workspaceId} and id = ${id}`.execute(tx);
      await initTriggerCursor(tx, workspaceId);
    }
    if (action === 'archive')
      await sql`update journey_run set status = 'exited', exited_at = ${now}, exit_reason = 'archived', due_at = null
        where workspace_id = ${workspaceId} and journey_id = ${id} and status = 'active'`.execute(tx);
    await sql`update journey set status = ${rule.to}, updated_at = now()
      where workspace_id = ${workspaceId} and id = ${id}`.execute(tx);
    return getJourney(tx, workspaceId, id);
  });
}

/**
 * Ends one active run now (`operator`): a shop cancelling a booking's reminder run, say. Other
 * runs of the customer (other keys) go on. Not found when the run is not this journey's; a run
 * already ended by an operator answers the same (a retried request), one ended otherwise is a
 * conflict.
 */
export async function exitRun(
  db: Kysely<DB>,
  workspaceId: string,
  journeyId: number,
  runId: number,
  now: Date,
): Promise<{ id: number; status: 'exited'; exitReason: string }> {
  const { rows } = await sql<{ status: string; exit_reason: string | null }>`
    with ended as (
      update journey_run set status = 'exited', exited_at = ${now}, exit_reason = 'operator', due_at = null
      where workspace_id = ${workspaceId} and journey_id = ${journeyId} and id = ${runId} and status = 'active'
      returning status, exit_reason)
    select status, exit_reason from ended
    union all
    select status, exit_reason from journey_run
    where workspace_id = ${workspaceId} and journey_id = ${journeyId} and id = ${runId} and not exists (select 1 from ended)`.execute(
    db,
  );
  const row = rows[0];
  if (!row) throw notFound(`run ${runId} of journey ${journeyId}`);
  if (row.exit_reason !== 'operator' || row.status !== 'exited')
    throw new DomainError('conflict', `run ${runId} has already ended (${row.exit_reason})`, [], {
      reason: 'run_ended',
    });
  return { id: runId, status: 'exited', exitReason: 'operator' };
}
