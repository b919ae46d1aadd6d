// `kizuna clv subscriptions` from the database, as a whole process on a fresh embedded database.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitSbgTenures } from '@kizuna/clv';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/open-database.ts';
import { upsertOrders } from '../src/orders/upsert-orders.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'kizuna.js');
const dataDir = mkdtempSync(join(tmpdir(), 'kizuna-cli-subs-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function kizuna(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, KIZUNA_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
}

describe('kizuna clv subscriptions (database)', () => {
  // Four whole processes, each opening the embedded database: generous on a shared machine.
  it("prints the workspace's plans as GET /v1/analytics/subscriptions computes them", {
    timeout: 300_000,
  }, async () => {
    const { workspaceId } = JSON.parse(kizuna('init', '--json', '--name', '定期便の店').stdout);
    // 12 monthly subscribers from October 2025: 6 pay every month, 6 stop after November.
    const database = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const months = ['2025-10', '2025-11', '2025-12', '2026-01'];
      const items = Array.from({ length: 12 }, (_, i) => i + 1)
        .flatMap((n) =>
          months.slice(0, n <= 6 ? 4 : 2).map((m) => ({
            id: `T${n}-${m}`,
            customer: { external: [{ namespace: 'member_no', value: `T${n}` }] },
            orderedAt: `${m}-10T10:00:00+09:00`,
            total: 1980,
            subscription: { id: `trial-${n}`, plan: 'お試し', interval: 'month' as const },
          })),
        )
        .map((item, index) => ({ index, item }));
      await database.db.transaction().execute((tx) => upsertOrders(tx, workspaceId, items));
    } finally {
      await database.close();
    }
    const json = kizuna('clv', 'subscriptions', '--as-of', '2026-01-20', '--json');
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.asOf).toBe('2026-01-19T15:00:00.000Z');
    expect(report.plans).toHaveLength(1);
    expect(report.plans[0]).toMatchObject({ plan: 'お試し', status: 'fitted', subscribers: 12, active: 6 });
    const expected = fitSbgTenures({ lost: [0, 0, 6, 0], active: [0, 0, 0, 6] }).params;
    expect(report.plans[0].params.alpha).toBeCloseTo(expected.alpha, 6);
    const text = kizuna('clv', 'subscriptions', '--workspace', workspaceId, '--as-of', '2026-01-20');
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('お試し（1か月ごと）: 契約 12件、継続中 6件、1回あたり ¥1,980');
    const bad = kizuna('clv', 'subscriptions', '--as-of', 'someday');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--as-of is not a date: 'someday'");
  });
});
