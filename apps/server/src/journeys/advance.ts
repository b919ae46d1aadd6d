// The journey engine: claims due runs in batches and advances them node by node, one transaction
// per batch. Runs at the same node of the same version are executed together (one send for all
// of a send node's customers), so a million runs cost thousands of statements, not millions.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import type { JourneyDefinition, JourneyNode } from './definition.ts';
import type { JourneyJobs, NodeContext } from './node-context.ts';
import { executeNode } from './run-nodes.ts';
import { type ClaimKey, claimDueRuns, type RunState, StepLog, saveRuns } from './run-state.ts';

export interface AdvanceOptions {
  /** Business time (from the Clock): runs due at or before it are advanced. */
  now: Date;
  /**
   * Enqueues the delivery of sends (absent, sends are created and wait for a worker to find them)
   * and publishes `customers.changed` for tag and attribute actions (absent: segments see them at
   * their next recompute of those customers).
   */
  jobs?: JourneyJobs | undefined;
  /** Opens the link key, so URLs in sends go through tracked redirects; absent: untracked. */
  secrets?: SecretBox | undefined;
  /** Runs claimed per transaction (default 1,000). */
  batchSize?: number;
  /**
   * Batches in flight at once, each in its own transaction on its own connection (default 1). On
   * PostgreSQL the database's work for one batch overlaps the process's work for another; PGlite
   * has one connection, so more than 1 gains nothing there.
   */
  lanes?: number;
  /** Awaited after each batch's commit (a bench measures each run's lateness from it). */
  onBatch?: ((batch: AdvanceResult) => void | Promise<void>) | undefined;
}

export interface AdvanceResult {
  /** Runs claimed (a run advanced in two batches counts twice). */
  runs: number;
  /** Steps executed (nodes, each with its journey_step row). */
  steps: number;
  /** The last run claimed, in due order (the next batch of the pass claims after it). */
  last?: ClaimKey | undefined;
}

// A run executes at most this many nodes in one batch. Validation refuses cycles without a
// wait, so a definition cannot reach it; it bounds a batch if a bug ever made one.
const MAX_NODES_PER_BATCH = 200;

/**
 * Advances every due run of the workspace's live journeys until none is due at `now`. Safe to run
 * in several workers at once: each claims different runs (SKIP LOCKED), and each step's effect
 * is recorded in journey_step in the transaction that makes it. `lanes` runs that many batches at
 * once in this call, on the same terms.
 *
 * @example
 * await advanceJourneys(db, workspaceId, { now: clock.now(), jobs });
 */
export async function advanceJourneys(
  db: Kysely<DB>,
  workspaceId: string,
  options: AdvanceOptions,
): Promise<AdvanceResult> {
  const batchSize = options.batchSize ?? 1000;
  const total: AdvanceResult = { runs: 0, steps: 0 };
  // A version's definition never changes: read once per call, not once per batch; so is the
  // default LINE channel.
  const cache = newEngineCache();
  // Each batch claims after the last run any full batch of this pass claimed (claimSql says why);
  // runs another lane holds are skipped, not waited for. A run left behind that point (a batch
  // rolled back and released it) is found by the claim from the start that ends each lane: a lane
  // ends only when that claim finds fewer than a batch.
  let furthest: ClaimKey | undefined;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    let fromStart = false;
    while (!failure) {
      const after = fromStart ? undefined : furthest;
      const batch = await transact(db, (tx) =>
        advanceBatch(tx, workspaceId, options, batchSize, cache, after),
      );
      await options.onBatch?.(batch);
      total.runs += batch.runs;
      total.steps += batch.steps;
      if (batch.runs < batchSize) {
        if (after === undefined) return;
        fromStart = true;
      } else {
        furthest = later(furthest, batch.last);
        fromStart = false;
      }
    }
  };
  const lanes = Math.max(1, Math.floor(options.lanes ?? 1));
  await Promise.all(
    Array.from({ length: lanes }, () =>
      lane().catch((error: unknown) => {
        failure ??= { error };
      }),
    ),
  );
  if (failure) throw failure.error;
  return total;
}

/** The later of two claim positions in due order (due instant, then id); bench/journeys' lanes use it too. */
export function later(a: ClaimKey | undefined, b: ClaimKey | undefined): ClaimKey | undefined {
  if (!a || !b) return a ?? b;
  const byTime = a.dueAt.getTime() - b.dueAt.getTime();
  return byTime > 0 || (byTime === 0 && a.id > b.id) ? a : b;
}

/** What one advanceJourneys call reads once for all its batches. */
export interface EngineCache {
  /** Definitions by `journeyId:version`. */
  definitions: Map<string, JourneyDefinition>;
  /** The workspace's first LINE channel (send nodes that name none), once read. */
  defaultChannel?: Promise<string | null>;
}

export const newEngineCache = (): EngineCache => ({ definitions: new Map() });

/** Adds the definitions of the runs' versions that `cache` does not hold yet. */
async function loadDefinitions(
  tx: Transaction<DB>,
  workspaceId: string,
  runs: readonly RunState[],
  cache: Map<string, JourneyDefinition>,
): Promise<Map<string, JourneyDefinition>> {
  const pairs = [...new Set(runs.map((r) => `${r.journeyId}:${r.version}`))].filter((p) => !cache.has(p));
  if (!pairs.length) return cache;
  const { rows } = await sql<{ journey_id: number; version: number; definition: JourneyDefinition }>`
    select journey_id, version, definition from journey_version
    where workspace_id = ${workspaceId}
      and (journey_id::text || ':' || version::text) = any(${pairs}::text[])`.execute(tx);
  for (const r of rows) cache.set(`${r.journey_id}:${r.version}`, r.definition);
  return cache;
}

/** One transaction: claim, advance each run until it waits or exits, write the runs back. */
export async function advanceBatch(
  tx: Transaction<DB>,
  workspaceId: string,
  options: AdvanceOptions,
  batchSize: number,
  cache = newEngineCache(),
  after?: ClaimKey,
): Promise<AdvanceResult> {
  const { now } = options;
  const runs = await claimDueRuns(tx, workspaceId, now, batchSize, after);
  const lastRun = runs.at(-1);
  const last = lastRun && { dueAt: lastRun.at, id: lastRun.id };
  const definitions = await loadDefinitions(tx, workspaceId, runs, cache.definitions);
  const steps = new StepLog();
  const defaultChannel = () => {
    cache.defaultChannel ??= firstLineChannel(tx, workspaceId);
    return cache.defaultChannel;
  };
  const linkBases = new Map<number, Promise<string | null>>();
  const linkBase = (journeyId: number) => {
    if (!linkBases.has(journeyId)) linkBases.set(journeyId, journeyLinkBase(tx, workspaceId, journeyId));
    return linkBases.get(journeyId)!;
  };
  let executed = 0;
  for (let round = 0; round < MAX_NODES_PER_BATCH; round++) {
    const due = runs.filter((r) => r.exitReason === null && r.dueAt !== null && r.dueAt <= now);
    if (!due.length) break;
    for (const [key, group] of groupBy(due, (r) => `${r.journeyId}:${r.version}:${r.nodeId}`)) {
      const first = group[0]!;
      const definition = definitions.get(`${first.journeyId}:${first.version}`)!;
      const node = definition.nodes.find((n) => n.id === first.nodeId);
      if (!node) throw new Error(`journey run at unknown node ${key}`);
      const ctx: NodeContext = {
        tx,
        workspaceId,
        now,
        jobs: options.jobs,
        journeyId: first.journeyId,
        version: first.version,
        definition,
        defaultChannel,
        secrets: options.secrets,
        linkBase: () => linkBase(first.journeyId),
        steps,
      };
      executed += await executeNode(ctx, node as JourneyNode, group);
    }
  }
  await saveRuns(tx, workspaceId, runs, steps.all(), now);
  return { runs: runs.length, steps: executed, last };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

async function firstLineChannel(tx: Transaction<DB>, workspaceId: string): Promise<string | null> {
  const row = await tx
    .selectFrom('line_channel')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

async function journeyLinkBase(
  tx: Transaction<DB>,
  workspaceId: string,
  journeyId: number,
): Promise<string | null> {
  const row = await tx
    .selectFrom('journey')
    .select('link_base')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', journeyId)
    .executeTakeFirst();
  return row?.link_base ?? null;
}

/** The workspaces with runs due at `now` (the engine job's work list). */
export async function workspacesWithDueRuns(db: Kysely<DB>, now: Date): Promise<string[]> {
  const { rows } = await sql<{ workspace_id: string }>`
    select distinct r.workspace_id from journey_run r
    where r.status = 'active' and r.due_at <= ${now}`.execute(db);
  return rows.map((r) => r.workspace_id);
}
