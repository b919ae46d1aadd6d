// Exactly once over an unreliable SMTP server: 2,000 messages while the server hangs up on 5% of
// messages before its reply and defers another 5% with a 4xx. Every Message-ID is accepted once
// and no recipient is missing.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { content, createEmailBed, type EmailBed, emailCustomers } from './email-setup.ts';

let bed: EmailBed;
beforeAll(async () => {
  bed = await createEmailBed();
});
afterAll(async () => {
  await bed?.close();
});

const COUNT = 2_000;

/** A fixed pseudo-random draw per (Message-ID, attempt), so a retry draws afresh. */
function draw(messageId: string, attempt: number): number {
  return createHash('sha256').update(`${messageId}#${attempt}`).digest().readUInt32BE(0) % 100;
}

describe('email delivery exactly once over a faulty SMTP server', () => {
  it(`${COUNT.toLocaleString('en')} messages, 5% connections dropped before the reply, 5% deferred (4xx): each Message-ID accepted once, none missing`, async () => {
    const shop = await bed.shop([]);
    const ids = await emailCustomers(bed.t.database.db, shop.ws, COUNT);
    let dropped = 0;
    let deferred = 0;
    bed.sink.answer = (mail, attempt) => {
      const d = draw(mail.messageId, attempt);
      if (d < 5) {
        dropped++;
        return 'drop';
      }
      if (d < 10) {
        deferred++;
        return { code: 421, message: '4.7.0 Try again later' };
      }
      return 'accept';
    };
    const before = bed.sink.accepted.length;
    try {
      const { id } = await bed.send(shop.auth, { idempotencyKey: 'big', customerIds: ids, content });
      expect(await bed.deliver(shop.ws, id, { concurrency: 16 })).toBe('done');
      const accepted = bed.sink.accepted.slice(before);
      const perId = new Map<string, number>();
      for (const m of accepted) perId.set(m.messageId, (perId.get(m.messageId) ?? 0) + 1);
      expect([...perId.values()].filter((n) => n > 1)).toEqual([]);
      const recipients = new Set(accepted.flatMap((m) => m.to));
      expect(recipients.size).toBe(COUNT);
      // The Message-IDs are the stored retry keys: one per recipient, each accepted.
      const { rows } = await sql<{ n: number; accepted: number }>`
        select count(*)::int as n, count(*) filter (where status = 'accepted')::int as accepted
        from message_request where workspace_id = ${shop.ws} and send_id = ${id}`.execute(bed.t.database.db);
      expect(rows[0]).toEqual({ n: COUNT, accepted: COUNT });
      expect(perId.size).toBe(COUNT);
      // The faults happened (about 5% each of the first attempts, and more on retries).
      expect(dropped).toBeGreaterThan(COUNT * 0.03);
      expect(deferred).toBeGreaterThan(COUNT * 0.03);
    } finally {
      bed.sink.answer = () => 'accept';
    }
  }, 240_000);
});
