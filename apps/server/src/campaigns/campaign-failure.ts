// When a campaign has failed (status `failed`, with `failureReason` in the API), rather than
// staying `sending` for ever or showing `sent` when nothing went out:
//
// * **its send cannot be made**: `runCampaignSend` threw a domain error (the LINE channel was
//   deleted, the content is refused: retrying changes nothing), at once; any other error (the
//   database, a bug) after MAX_SEND_FAILURES runs in a row, the minute job retrying in between;
// * **the channel refused every message**: every variant's send has finished, none of its
//   recipients was delivered and some failed (LINE refused the channel access token, 401). The
//   minute job checks each sent campaign once its sends are done (`delivery_checked_at`).
//
// A campaign some of whose messages were delivered is `sent`: its results count the failed ones.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError } from '../shared/domain-error.ts';
import { failedRequestErrors, sendOutcomes, sendsFinished } from './send-outcomes.ts';

/** Failed runs of a campaign's send, in a row, before a failure that may pass is final. */
export const MAX_SEND_FAILURES = 5;

const MAX_REASON = 1000;

async function markFailed(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
  from: 'sending' | 'sent',
  reason: string,
  now: Date,
) {
  await db
    .updateTable('campaign')
    .set({ status: 'failed', failed_at: now, failure_reason: reason.slice(0, MAX_REASON), updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('status', '=', from)
    .execute();
}

/**
 * Records a failed run of the campaign's send. Returns `failed` when the campaign now is (a
 * domain error, or the MAX_SEND_FAILURES-th failure in a row), else `retrying`.
 */
export async function recordSendFailure(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
  error: unknown,
  now: Date,
): Promise<'failed' | 'retrying'> {
  const message = error instanceof Error ? error.message : String(error);
  const { rows } = await sql<{ send_failures: number }>`update campaign set send_failures = send_failures + 1
    where workspace_id = ${workspaceId} and id = ${id} and status = 'sending'
    returning send_failures`.execute(db);
  const failures = rows[0]?.send_failures;
  if (failures === undefined) return 'retrying';
  if (!(error instanceof DomainError) && failures < MAX_SEND_FAILURES) return 'retrying';
  const why = error instanceof DomainError ? message : `${message} (${failures} attempts)`;
  await markFailed(db, workspaceId, id, 'sending', `the send could not be made: ${why}`, now);
  return 'failed';
}

/**
 * Checks sent campaigns whose sends have all finished, once each: a campaign none of whose
 * messages was delivered while some were refused becomes `failed` with the channel's reason.
 * Returns the campaigns it failed.
 */
export async function checkSentCampaigns(
  db: Kysely<DB>,
  now: Date,
): Promise<{ workspaceId: string; id: number }[]> {
  const { rows } = await sql<{ workspace_id: string; id: number; send_ids: (number | null)[] }>`
    select c.workspace_id, c.id, array_agg(v.send_id) as send_ids
    from campaign c join campaign_variant v on v.workspace_id = c.workspace_id and v.campaign_id = c.id
    where c.status = 'sent' and c.delivery_checked_at is null
    group by c.workspace_id, c.id order by c.id limit 200`.execute(db);
  const failed: { workspaceId: string; id: number }[] = [];
  for (const c of rows) {
    const id = Number(c.id);
    const sendIds = c.send_ids.filter((s): s is number => s !== null).map(Number);
    if (!(await sendsFinished(db, c.workspace_id, sendIds))) continue;
    const outcomes = [...(await sendOutcomes(db, c.workspace_id, sendIds)).values()];
    const delivered = outcomes.reduce((n, o) => n + o.delivered, 0);
    const refused = outcomes.reduce((n, o) => n + o.failed, 0);
    if (delivered === 0 && refused > 0) {
      const errors = await failedRequestErrors(db, c.workspace_id, sendIds);
      await markFailed(
        db,
        c.workspace_id,
        id,
        'sent',
        `LINE refused every message (${refused}): ${errors.join('; ')}`,
        now,
      );
      failed.push({ workspaceId: c.workspace_id, id });
    }
    await db
      .updateTable('campaign')
      .set({ delivery_checked_at: now })
      .where('workspace_id', '=', c.workspace_id)
      .where('id', '=', id)
      .execute();
  }
  return failed;
}
