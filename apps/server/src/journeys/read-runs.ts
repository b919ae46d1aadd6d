// Runs with their steps, for the API: a journey's runs or a customer's, newest first.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ExitReason, RunStatus } from './journey-tables.ts';

export interface RunView {
  id: number;
  journeyId: number;
  version: number;
  customerId: number;
  key: string;
  nodeId: string;
  status: RunStatus;
  dueAt: string | null;
  waitingFor: string | null;
  enteredAt: string;
  exitedAt: string | null;
  exitReason: ExitReason | null;
  steps: {
    stepNo: number;
    nodeId: string;
    nodeType: string;
    outcome: string;
    detail: Record<string, unknown> | null;
    sendId: number | null;
    executedAt: string;
  }[];
}

interface Row {
  id: number;
  journey_id: number;
  version: number;
  customer_id: number;
  run_key: string;
  node_id: string;
  status: RunStatus;
  due_at: Date | null;
  wait_event: string | null;
  entered_at: Date;
  exited_at: Date | null;
  exit_reason: ExitReason | null;
  steps: {
    step_no: number;
    node_id: string;
    node_type: string;
    outcome: string;
    detail: Record<string, unknown> | null;
    send_id: number | null;
    executed_at: string;
  }[];
}

export interface RunFilter {
  journeyId?: number;
  customerId?: number;
  status?: RunStatus | undefined;
  limit: number;
  after?: number | undefined;
}

/** A page of runs (by journey or customer), newest first, each with its steps in order. */
export async function listRuns(
  db: Kysely<DB>,
  workspaceId: string,
  filter: RunFilter,
): Promise<{ items: RunView[]; nextCursor: string | null }> {
  const { rows } = await sql<Row>`
    select r.id, r.journey_id, r.version, r.customer_id, r.run_key, r.node_id, r.status, r.due_at, r.wait_event,
      r.entered_at, r.exited_at, r.exit_reason,
      coalesce((select jsonb_agg(jsonb_build_object('step_no', s.step_no, 'node_id', s.node_id, 'node_type', s.node_type,
          'outcome', s.outcome, 'detail', s.detail, 'send_id', s.send_id, 'executed_at', s.executed_at) order by s.step_no)
        from journey_step s where s.workspace_id = r.workspace_id and s.run_id = r.id), '[]'::jsonb) as steps
    from journey_run r
    where r.workspace_id = ${workspaceId}
      and (${filter.journeyId ?? null}::bigint is null or r.journey_id = ${filter.journeyId ?? null}::bigint)
      and (${filter.customerId ?? null}::bigint is null or r.customer_id = ${filter.customerId ?? null}::bigint)
      and (${filter.status ?? null}::text is null or r.status = ${filter.status ?? null}::text)
      and (${filter.after ?? null}::bigint is null or r.id < ${filter.after ?? null}::bigint)
    order by r.id desc limit ${filter.limit + 1}`.execute(db);
  const items = rows.slice(0, filter.limit).map(view);
  return { items, nextCursor: rows.length > filter.limit ? String(items.at(-1)!.id) : null };
}

function view(r: Row): RunView {
  return {
    id: Number(r.id),
    journeyId: Number(r.journey_id),
    version: r.version,
    customerId: Number(r.customer_id),
    key: r.run_key,
    nodeId: r.node_id,
    status: r.status,
    dueAt: r.due_at?.toISOString() ?? null,
    waitingFor: r.wait_event,
    enteredAt: r.entered_at.toISOString(),
    exitedAt: r.exited_at?.toISOString() ?? null,
    exitReason: r.exit_reason,
    steps: r.steps.map((s) => ({
      stepNo: s.step_no,
      nodeId: s.node_id,
      nodeType: s.node_type,
      outcome: s.outcome,
      detail: s.detail,
      sendId: s.send_id === null ? null : Number(s.send_id),
      executedAt: new Date(s.executed_at).toISOString(),
    })),
  };
}
