// A property of the frequency cap: however many sends plan the same customers at once (each
// through the real planner, on PostgreSQL each on its own pooled connection), no customer gets
// more than the cap's marketing messages in a window, and every recipient has exactly one
// decision. Inputs are random from a printed seed; a failure names the seed to replay it.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/open-database.ts';
import { createSend } from '../src/messaging/create-send.ts';
import { deliverSend } from '../src/messaging/deliver-send.ts';
import { putSendPolicy } from '../src/messaging/send-policy.ts';
import { listSendDecisions } from '../src/messaging/send-status.ts';
import { createTestDatabase } from './helpers.ts';
import {
  CountingProvider,
  emailAdapter,
  emailWorkspace,
  jobContext,
  jst,
  message,
  setConsent,
} from './send-policy-helpers.ts';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
}

const CUSTOMERS = 24;
const seeds = Array.from(
  { length: 6 },
  (_, i) => Number(process.env.KIZUNA_PROPERTY_SEED ?? 0) || 1_000 + i * 7_919,
);

describe('frequency cap under concurrent sends', () => {
  it.each(seeds)(
    'never exceeds the cap in any window, one decision per recipient (seed %i)',
    async (seed) => {
      const rand = random(seed);
      const w = await emailWorkspace(database, CUSTOMERS, `p${seed}-`);
      const max = 1 + rand(3);
      const windowHours = 24;
      await putSendPolicy(database.db, w.workspaceId, {
        frequencyCaps: { line: null, email: { max, windowHours } },
        quietHours: null,
      });
      for (const id of w.ids) await setConsent(database, w.workspaceId, id, 'granted');
      const provider = new CountingProvider();
      const adapter = emailAdapter(provider);
      const now = jst('2026-12-07T12:00');
      // History: a send 20 h ago (inside the window) and one 30 h ago (outside it).
      const history = [
        { key: 'in-window', at: new Date(now.getTime() - 20 * 3_600_000) },
        { key: 'old', at: new Date(now.getTime() - 30 * 3_600_000) },
      ];
      const inWindowBefore = new Map<number, number>();
      const outOfWindow = new Map<number, number>();
      for (const h of history) {
        const ids = w.ids.filter(() => rand(2) === 0);
        const send = await createSend(database.db, undefined, adapter, w.workspaceId, {
          channelId: w.channelId,
          idempotencyKey: h.key,
          messages: message,
          customerIds: ids,
        });
        await deliverSend(jobContext(database), adapter, w.workspaceId, send.id, { now: () => h.at });
        const before = h.key === 'in-window' ? inWindowBefore : outOfWindow;
        for (const d of await listSendDecisions(database.db, w.workspaceId, send.id))
          if (d.status === 'sent') before.set(d.customerId, 1);
      }
      // The concurrent sends: 2 to 6, each to a random subset, some personalised.
      const sends = [];
      for (let s = 0; s < 2 + rand(5); s++) {
        const ids = w.ids.filter(() => rand(3) > 0);
        const personal = ids.filter(() => rand(4) === 0);
        sends.push(
          await createSend(database.db, undefined, adapter, w.workspaceId, {
            channelId: w.channelId,
            idempotencyKey: `concurrent-${s}`,
            messages: message,
            customerIds: ids.filter((id) => !personal.includes(id)),
            personalized: personal.map((customerId) => ({ customerId, messages: message })),
            origin: `journey:${s}`,
          }),
        );
      }
      // Consent withdrawn after the sends were created and before they plan.
      const revoked = w.ids.filter(() => rand(6) === 0);
      for (const id of revoked) await setConsent(database, w.workspaceId, id, 'revoked');
      const results = await Promise.all(
        sends.map((send) =>
          deliverSend(jobContext(database), adapter, w.workspaceId, send.id, {
            now: () => now,
            requestsPerCycle: 2,
          }),
        ),
      );
      expect(results.every((r) => r === 'done')).toBe(true);

      const sent = new Map<number, number>(inWindowBefore);
      const capped = new Set<number>();
      for (const send of sends) {
        const decisions = await listSendDecisions(database.db, w.workspaceId, send.id, { limit: 1_000 });
        expect(decisions).toHaveLength(send.total);
        expect(new Set(decisions.map((d) => d.customerId)).size).toBe(send.total);
        for (const d of decisions) {
          expect(d.status, `seed ${seed}: customer ${d.customerId}`).not.toBe('queued');
          if (revoked.includes(d.customerId)) expect(d.reason).toBe('revoked');
          if (d.status === 'sent') sent.set(d.customerId, (sent.get(d.customerId) ?? 0) + 1);
          if (d.reason === 'capped') capped.add(d.customerId);
        }
      }
      for (const [customerId, n] of sent)
        expect(n, `seed ${seed}: customer ${customerId}`).toBeLessThanOrEqual(max);
      // The cap is not stricter than it says: whoever was capped had exactly `max` in the window.
      for (const customerId of capped) expect(sent.get(customerId), `seed ${seed}`).toBe(max);
      // The provider received exactly what the decisions say (no duplicates, nothing extra).
      for (const [i, id] of w.ids.entries())
        expect(provider.received.get(w.emails[i]!) ?? 0, `seed ${seed}: customer ${id}`).toBe(
          (sent.get(id) ?? 0) + (outOfWindow.get(id) ?? 0),
        );
      // The ledger the planner counts holds the same messages in the window.
      const since = new Date(now.getTime() - windowHours * 3_600_000).toISOString();
      const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from messaging_cap_ledger
      where workspace_id = ${w.workspaceId} and planned_at > ${since}::timestamptz`.execute(database.db);
      expect(rows[0]!.n).toBe([...sent.values()].reduce((a, b) => a + b, 0));
    },
  );
});
