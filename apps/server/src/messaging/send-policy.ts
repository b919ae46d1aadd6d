// The workspace's send policy: quiet hours in JST and a frequency cap per channel, read and
// written here; applied per recipient by the planner (plan-requests.ts, cap-ledger.ts).
import { type Kysely, sql } from 'kysely';
import type { ConsentChannel } from '../customers/customer-tables.ts';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import './send-tables.ts';

/** At most `max` marketing messages per customer in any rolling window of `windowHours`. */
export interface FrequencyCap {
  max: number;
  windowHours: number;
}

/** Quiet hours on the JST wall clock, 'HH:MM'; a start after the end wraps midnight (21:00–09:00). */
export interface QuietHours {
  start: string;
  end: string;
}

export interface SendPolicy {
  /** Per channel; null: no cap (the default). */
  frequencyCaps: Record<ConsentChannel, FrequencyCap | null>;
  /** null: none (the default). */
  quietHours: QuietHours | null;
}

export const CHANNELS: readonly ConsentChannel[] = ['line', 'email'];
const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** The workspace's policy; a workspace that never set one has no caps and no quiet hours. */
export async function getSendPolicy(db: Kysely<DB>, workspaceId: string): Promise<SendPolicy> {
  const { rows: quiet } = await sql<{ quiet_start: string | null; quiet_end: string | null }>`
    select quiet_start, quiet_end from messaging_policy where workspace_id = ${workspaceId}`.execute(db);
  const { rows: caps } = await sql<{ channel: ConsentChannel; max_messages: number; window_hours: number }>`
    select channel, max_messages, window_hours from messaging_frequency_cap where workspace_id = ${workspaceId}`.execute(
    db,
  );
  const q = quiet[0];
  const frequencyCaps = { line: null, email: null } as SendPolicy['frequencyCaps'];
  for (const c of caps) frequencyCaps[c.channel] = { max: c.max_messages, windowHours: c.window_hours };
  return {
    frequencyCaps,
    quietHours: q?.quiet_start && q.quiet_end ? { start: q.quiet_start, end: q.quiet_end } : null,
  };
}

function checkPolicy(policy: SendPolicy): void {
  const problems: FieldProblem[] = [];
  const q = policy.quietHours;
  if (q) {
    if (!HHMM.test(q.start))
      problems.push({ path: 'quietHours.start', message: 'not a time HH:MM (00:00–23:59)' });
    if (!HHMM.test(q.end))
      problems.push({ path: 'quietHours.end', message: 'not a time HH:MM (00:00–23:59)' });
    if (q.start === q.end)
      problems.push({ path: 'quietHours.end', message: 'must differ from quietHours.start' });
  }
  for (const channel of CHANNELS) {
    const cap = policy.frequencyCaps[channel];
    if (!cap) continue;
    if (!Number.isInteger(cap.max) || cap.max < 1 || cap.max > 1000)
      problems.push({ path: `frequencyCaps.${channel}.max`, message: 'must be an integer from 1 to 1000' });
    if (!Number.isInteger(cap.windowHours) || cap.windowHours < 1 || cap.windowHours > 8760)
      problems.push({
        path: `frequencyCaps.${channel}.windowHours`,
        message: 'must be an integer from 1 to 8760 (a year)',
      });
  }
  if (problems.length) throw invalid(problems);
}

/** Replaces the workspace's policy whole (validated first; nothing is written on a problem). */
export async function putSendPolicy(
  db: Kysely<DB>,
  workspaceId: string,
  policy: SendPolicy,
): Promise<SendPolicy> {
  checkPolicy(policy);
  await transact(db, async (tx) => {
    const q = policy.quietHours;
    await sql`
      insert into messaging_policy (workspace_id, quiet_start, quiet_end, updated_at)
      values (${workspaceId}, ${q?.start ?? null}, ${q?.end ?? null}, now())
      on conflict (workspace_id) do update set quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
        updated_at = excluded.updated_at`.execute(tx);
    await sql`delete from messaging_frequency_cap where workspace_id = ${workspaceId}`.execute(tx);
    for (const channel of CHANNELS) {
      const cap = policy.frequencyCaps[channel];
      if (cap)
        await sql`
          insert into messaging_frequency_cap (workspace_id, channel, max_messages, window_hours)
          values (${workspaceId}, ${channel}, ${cap.max}, ${cap.windowHours})`.execute(tx);
    }
  });
  return getSendPolicy(db, workspaceId);
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const JST_MS = 9 * 3_600_000;

/**
 * When quiet hours end if `now` is inside them (the next opening of the window), else null.
 * JST has no daylight saving, so wall-clock minutes map to instants by a fixed offset.
 *
 * @example quietUntil({ start: '21:00', end: '09:00' }, new Date('2026-12-06T22:00:00+09:00'))
 *   // → 2026-12-07T09:00:00+09:00
 */
export function quietUntil(quiet: QuietHours, now: Date): Date | null {
  const local = now.getTime() + JST_MS;
  const dayStart = Math.floor(local / 86_400_000) * 86_400_000;
  const minute = Math.floor((local - dayStart) / 60_000);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const wraps = start > end;
  const inside = wraps ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return null;
  // Past the start on a wrapping window: the end is tomorrow.
  const endDay = wraps && minute >= start ? dayStart + 86_400_000 : dayStart;
  return new Date(endDay + end * 60_000 - JST_MS);
}
