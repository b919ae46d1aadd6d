// A large send's outbox written chunk by chunk while its delivery runs (issue #20: the first
// multicast leaves while the outbox is still being written). The chunks here are small so that a
// few thousand recipients make many of them; messaging/create-send.ts has the real sizes.
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverSend } from '../src/line/deliver-send.ts';
import { createSend, getSend } from '../src/line/sends.ts';
import type { CreateSendOptions } from '../src/messaging/create-send.ts';
import { DomainError } from '../src/shared/domain-error.ts';
import { lineUserId } from './helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed({ seed: 7 }, []);
});
afterAll(async () => {
  await bed?.close();
});

const ws = () => bed.workspace.workspaceId;
const context = () => ({
  database: bed.database,
  secrets: bed.secrets,
  logger: pino({ level: 'silent' }),
  lineHosts: bed.lineHosts,
});
const small: CreateSendOptions = { streamAbove: 100, firstChunk: 300, chunk: 700 };

async function outbox(sendId: number) {
  const { rows } = await sql<{ seq: number; customer_id: string; address: string | null; status: string }>`
    select seq, customer_id, address, status from message_outbox
    where workspace_id = ${ws()} and send_id = ${sendId} order by seq`.execute(bed.database.db);
  return rows.map((r) => ({ ...r, customer_id: Number(r.customer_id) }));
}

async function writing(sendId: number) {
  const { rows } = await sql<{ written_through: number; rows_written: number; input_total: number }>`
    select written_through, rows_written, input_total from message_send_writing
    where workspace_id = ${ws()} and send_id = ${sendId}`.execute(bed.database.db);
  return rows[0];
}

describe('a large send streams its outbox', () => {
  it('writes the same outbox as one transaction would, and delivers while it is written, in full batches', async () => {
    const ids = await makeFriends(bed.database.db, ws(), 1, 3_000);
    // A customer merged away is left out; one with no LINE identity is skipped; the last 20 get
    // their own content (pushes, after the shared rows).
    // The last entry's customer is merged away too: the outbox's seqs end in a gap.
    await sql`update customer set merged_into_id = ${ids[0]!} where workspace_id = ${ws()} and id = any(${[ids[10]!, ids[2_999]!]}::bigint[])`.execute(
      bed.database.db,
    );
    await sql`delete from customer_identity where workspace_id = ${ws()} and customer_id = ${ids[1_234]!}`.execute(
      bed.database.db,
    );
    const input = {
      channelId: bed.channelId,
      messages: [{ type: 'text', text: '年末セールのお知らせ' }],
      customerIds: ids.slice(0, 2_980),
      personalized: ids
        .slice(2_980)
        .map((id) => ({ customerId: id, messages: [{ type: 'text', text: `${id} 様` }] })),
    };
    const whole = await createSend(bed.database.db, undefined, ws(), { ...input, idempotencyKey: 'whole' });
    let delivery: Promise<string> | undefined;
    let writtenAtOpen = -1;
    const streamed = await createSend(
      bed.database.db,
      undefined,
      ws(),
      { ...input, idempotencyKey: 'streamed' },
      {
        ...small,
        onOpened: async (sendId) => {
          writtenAtOpen = (await writing(sendId))?.rows_written ?? -1;
          delivery = deliverSend(context(), ws(), sendId);
        },
      },
    );
    // Opened with its first chunk only (300 entries, one of them merged away); the rest came after.
    expect(writtenAtOpen).toBe(299);
    expect(await delivery).toBe('done');
    expect(await writing(streamed.id)).toBeUndefined();

    const expected = (await outbox(whole.id)).map(({ seq, customer_id, address, status }) => ({
      seq,
      customer_id,
      address,
      status,
    }));
    expect(expected).toHaveLength(2_998);
    const got = await outbox(streamed.id);
    // The same rows in the same order; a streamed outbox numbers each by its entry's position, so
    // the merged-away customer's entry (position 10) is a gap.
    const strip = ({ seq: _seq, ...r }: (typeof expected)[number]) => r;
    expect(got.map(strip)).toEqual(expected.map(strip));
    expect(got.map((r) => r.seq)).toEqual(
      Array.from({ length: 3_000 }, (_, i) => i).filter((i) => i !== 10 && i !== 2_999),
    );

    const final = await getSend(bed.database.db, ws(), streamed.id);
    expect(final).toMatchObject({ status: 'done', total: 2_998 });
    expect(final.counts).toEqual({ queued: 0, sent: 2_997, failed: 0, skipped: 1 });
    // Every recipient once; shared content in full batches of 500 (2,978 shared: 6 requests),
    // never a part-filled one at a chunk's end.
    const stats = bed.line.stats();
    expect(stats.duplicateRecipients).toBe(0);
    expect(stats.requests['POST /v2/bot/message/multicast']).toBe(6);
    expect(stats.requests['POST /v2/bot/message/push']).toBe(19);
    for (const n of [1, 300, 301, 1_000, 2_980, 2_999]) expect(bed.line.receivedCount(lineUserId(n))).toBe(1);
    expect(bed.line.receivedCount(lineUserId(11))).toBe(0);
    expect(bed.line.receivedCount(lineUserId(3_000))).toBe(0);
  });

  it('a writer that stopped leaves its chunks deliverable; a repeat with the same key finishes them, another audience is a conflict', async () => {
    const ids = await makeFriends(bed.database.db, ws(), 10_001, 2_000);
    const input = {
      channelId: bed.channelId,
      idempotencyKey: 'stopped-writer',
      messages: [{ type: 'text', text: '冬の新メニュー' }],
      customerIds: ids,
    };
    const before = bed.line.stats().deliveries;
    // The writer stops right after the first chunk (the hook fails, as a crash there would).
    await expect(
      createSend(bed.database.db, undefined, ws(), input, {
        ...small,
        onOpened: async () => {
          throw new Error('writer gone');
        },
      }),
    ).rejects.toThrow('writer gone');
    const send = await bed.database.db
      .selectFrom('message_send')
      .select('id')
      .where('workspace_id', '=', ws())
      .where('idempotency_key', '=', 'stopped-writer')
      .executeTakeFirstOrThrow();
    expect(await writing(send.id)).toMatchObject({
      written_through: 300,
      rows_written: 300,
      input_total: 2_000,
    });
    expect((await getSend(bed.database.db, ws(), send.id)).total).toBe(300);

    // Its heartbeat runs out (as a minute would): the delivery sends what is written, then lets go.
    await sql`update message_send_writing set writer_until = now() - interval '1 second'
      where workspace_id = ${ws()} and send_id = ${send.id}`.execute(bed.database.db);
    expect(await deliverSend(context(), ws(), send.id)).toBe('incomplete');
    expect(bed.line.stats().deliveries - before).toBe(300);
    expect((await getSend(bed.database.db, ws(), send.id)).status).toBe('sending');

    // Another audience under the same key would mix two requests in one send.
    const conflict = await createSend(
      bed.database.db,
      undefined,
      ws(),
      { ...input, customerIds: ids.slice(1) },
      small,
    ).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(DomainError);
    expect(conflict).toMatchObject({ code: 'conflict', problems: [{ path: 'idempotencyKey' }] });

    // The same request again: the outbox is finished from its cursor and delivered.
    const resumed = await createSend(bed.database.db, undefined, ws(), input, small);
    expect(resumed).toMatchObject({ id: send.id, total: 2_000 });
    expect(await deliverSend(context(), ws(), send.id)).toBe('done');
    const rows = await outbox(send.id);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    expect(rows.map((r) => r.customer_id)).toEqual(ids);
    expect(bed.line.stats().deliveries - before).toBe(2_000);
    expect(bed.line.stats().duplicateRecipients).toBe(0);
    for (const n of [10_001, 10_300, 10_301, 12_000]) expect(bed.line.receivedCount(lineUserId(n))).toBe(1);
    // Repeated once more, it is the finished send, as any repeat.
    expect((await createSend(bed.database.db, undefined, ws(), input, small)).id).toBe(send.id);
  });

  it('two writers of the same request make one outbox, each recipient once', async () => {
    const ids = await makeFriends(bed.database.db, ws(), 20_001, 2_500);
    const input = {
      channelId: bed.channelId,
      idempotencyKey: 'two-writers',
      messages: [{ type: 'text', text: '同じ依頼を二度' }],
      customerIds: ids,
    };
    const [a, b] = await Promise.all([
      createSend(bed.database.db, undefined, ws(), input, { ...small, chunk: 200 }),
      createSend(bed.database.db, undefined, ws(), input, { ...small, chunk: 300 }),
    ]);
    expect(a.id).toBe(b.id);
    const rows = await outbox(a.id);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 2_500 }, (_, i) => i));
    expect(rows.map((r) => r.customer_id)).toEqual(ids);
    expect(await writing(a.id)).toBeUndefined();
    expect((await getSend(bed.database.db, ws(), a.id)).total).toBe(2_500);
  });
});
