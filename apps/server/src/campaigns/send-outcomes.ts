// The only place campaigns read the messaging core's tables (message_outbox, message_request):
// each send's recipients counted by outcome.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface SendOutcomes {
  /** Recipients the channel accepted (what LINE bills). */
  delivered: number;
  /** Recipients the channel refused. */
  failed: number;
  /** Recipients still waiting (held for quiet hours, paused by the quota, in flight). */
  queued: number;
  /** Recipients the core skipped, by reason (no_line_identity, no_consent, blocked, capped, quiet_hours). */
  skipped: Record<string, number>;
}

/** Outcome counts per send id (every id given gets an entry). */
export async function sendOutcomes(
  db: Kysely<DB>,
  workspaceId: string,
  sendIds: readonly number[],
): Promise<Map<number, SendOutcomes>> {
  const out = new Map<number, SendOutcomes>(
    sendIds.map((id) => [id, { delivered: 0, failed: 0, queued: 0, skipped: {} }]),
  );
  if (!sendIds.length) return out;
  const { rows } = await sql<{ send_id: number; outcome: string; reason: string | null; n: number }>`
    select o.send_id,
      case when o.status = 'skipped' then 'skipped' when o.status = 'failed' then 'failed'
        when r.status = 'accepted' then 'delivered' when r.status = 'failed' then 'failed' else 'queued' end as outcome,
      case when o.status = 'skipped' then o.reason end as reason, count(*)::int as n
    from message_outbox o
    left join lateral (
      select status, seq_to from message_request r
      where r.workspace_id = o.workspace_id and r.send_id = o.send_id and r.seq_from <= o.seq
      order by r.seq_from desc limit 1) r on r.seq_to >= o.seq
    where o.workspace_id = ${workspaceId} and o.send_id = any(${[...sendIds]}::bigint[])
    group by 1, 2, 3`.execute(db);
  for (const r of rows) {
    const o = out.get(Number(r.send_id))!;
    if (r.outcome === 'skipped')
      o.skipped[r.reason ?? 'unknown'] = (o.skipped[r.reason ?? 'unknown'] ?? 0) + r.n;
    else if (r.outcome === 'delivered') o.delivered += r.n;
    else if (r.outcome === 'failed') o.failed += r.n;
    else o.queued += r.n;
  }
  return out;
}

/** Each send's channel (`line`, `email`). */
export async function sendChannels(
  db: Kysely<DB>,
  workspaceId: string,
  sendIds: readonly number[],
): Promise<Map<number, string>> {
  if (!sendIds.length) return new Map();
  const { rows } = await sql<{ id: number; channel: string }>`
    select id, channel from message_send
    where workspace_id = ${workspaceId} and id = any(${[...sendIds]}::bigint[])`.execute(db);
  return new Map(rows.map((r) => [Number(r.id), r.channel]));
}

/** Whether every one of the sends is finished (`done`: nothing queued, in flight or held). */
export async function sendsFinished(
  db: Kysely<DB>,
  workspaceId: string,
  sendIds: readonly number[],
): Promise<boolean> {
  if (!sendIds.length) return true;
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from message_send
    where workspace_id = ${workspaceId} and id = any(${[...sendIds]}::bigint[]) and status = 'done'`.execute(
    db,
  );
  return rows[0]!.n === new Set(sendIds).size;
}

/** The distinct reasons the channel gave for the sends' failed requests, most frequent first. */
export async function failedRequestErrors(
  db: Kysely<DB>,
  workspaceId: string,
  sendIds: readonly number[],
): Promise<string[]> {
  if (!sendIds.length) return [];
  const { rows } = await sql<{ error: string }>`select coalesce(error, 'no reason given') as error
    from message_request where workspace_id = ${workspaceId} and send_id = any(${[...sendIds]}::bigint[])
      and status = 'failed'
    group by 1 order by count(*) desc, 1 limit 3`.execute(db);
  return rows.map((r) => r.error);
}
