// The subscription columns of Kizuna's orders CSV (csv-import/order-formats.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from '../src/csv-import/import-csv.ts';
import { formatRowProblem } from '../src/csv-import/row-problem.ts';
import type { Database } from '../src/db/open-database.ts';
import { createTestDatabase, newWorkspace } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'kizuna-csv-subs-'));
const HEADER =
  'order_id,customer_email,ordered_at,total,subscription_id,subscription_plan,subscription_interval,subscription_interval_count,subscription_sequence';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

async function importLines(name: string, lines: string[]) {
  const { workspaceId } = await newWorkspace(database);
  const file = join(dir, name);
  writeFileSync(file, `${[HEADER, ...lines].join('\n')}\n`);
  return { workspaceId, summary: await importCsv(database, { kind: 'orders', file, workspaceId }) };
}

describe('orders CSV: subscription columns', () => {
  it('stores the subscription of each order; orders without subscription_id have none', async () => {
    const { workspaceId, summary } = await importLines('ok.csv', [
      'S-1,a@example.jp,2026-01-10 10:00,3000,sub-1,ベーシック,month,,1',
      'S-2,a@example.jp,2026-02-10 10:00,3000,sub-1,ベーシック,Month,2,2',
      'P-1,a@example.jp,2026-02-11 10:00,500,,,,,',
    ]);
    expect(summary).toMatchObject({ imported: true, created: 3 });
    const rows = await database.db
      .selectFrom('customer_order')
      .select([
        'external_id',
        'subscription_id',
        'subscription_plan',
        'subscription_interval_unit',
        'subscription_interval_count',
        'subscription_sequence',
      ])
      .where('workspace_id', '=', workspaceId)
      .orderBy('external_id')
      .execute();
    expect(rows).toEqual([
      {
        external_id: 'P-1',
        subscription_id: null,
        subscription_plan: null,
        subscription_interval_unit: null,
        subscription_interval_count: null,
        subscription_sequence: null,
      },
      {
        external_id: 'S-1',
        subscription_id: 'sub-1',
        subscription_plan: 'ベーシック',
        subscription_interval_unit: 'month',
        subscription_interval_count: 1,
        subscription_sequence: 1,
      },
      {
        external_id: 'S-2',
        subscription_id: 'sub-1',
        subscription_plan: 'ベーシック',
        subscription_interval_unit: 'month',
        subscription_interval_count: 2,
        subscription_sequence: 2,
      },
    ]);
  });

  it('names the line and column of a bad subscription cell, and imports nothing', async () => {
    const { workspaceId, summary } = await importLines('bad.csv', [
      'S-1,a@example.jp,2026-01-10 10:00,3000,sub-1,ベーシック,day,,',
      'S-2,a@example.jp,2026-02-10 10:00,3000,sub-1,,month,,',
      'S-3,a@example.jp,2026-03-10 10:00,3000,sub-1,ベーシック,month,two,',
      'S-4,a@example.jp,2026-04-10 10:00,3000,,ベーシック,month,,',
      'S-5,a@example.jp,2026-05-10 10:00,3000,sub-1,ベーシック,month,,0',
    ]);
    expect(summary.imported).toBe(false);
    expect(summary.problems[3]?.message).toBe('needs subscription_id');
    expect(summary.problems.map(formatRowProblem).map((p) => p.replace(/:.*$/, ''))).toEqual([
      'line 2, column subscription_interval',
      'line 3, column subscription_plan',
      'line 4, column subscription_interval_count',
      'line 5, column subscription_plan',
      'line 5, column subscription_interval',
      'line 6, column subscription_sequence',
    ]);
    const stored = await database.db
      .selectFrom('customer_order')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .execute();
    expect(stored).toEqual([]);
  });
});
