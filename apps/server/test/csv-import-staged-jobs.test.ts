// The staged customers import publishes customers.changed through the real job system, inside
// its COPY transaction (Database.bulkTransaction): a segment on prefecture fills from it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from '../src/csv-import/import-csv.ts';
import { SEGMENT_JOBS } from '../src/segments/segment-jobs.ts';
import { createTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ jobs: SEGMENT_JOBS });
});
afterAll(async () => t?.close());

async function api(method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await t.app.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

describe('staged customers import and the job system', () => {
  it('fills a 東京都 segment with exactly the Tokyo rows of a file of several segments', async () => {
    const ws = t.workspace.workspaceId;
    const segment = (
      await api('POST', '/v1/segments', {
        name: '東京都のお客様',
        definition: { profile: 'prefecture', op: 'in', value: ['東京都'] },
      })
    ).id;
    const lines = ['email,prefecture'];
    for (let n = 1; n <= 9; n++) lines.push(`j${n}@example.jp,${n % 3 === 0 ? '東京都' : '大阪府'}`);
    const file = join(mkdtempSync(join(tmpdir(), 'kizuna-csv-jobs-')), 'tokyo.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const summary = await importCsv(t.database, {
      kind: 'customers',
      file,
      workspaceId: ws,
      batchSize: 4,
      publish: t.jobs!.publish,
    });
    expect(summary).toMatchObject({ imported: true, created: 9 });
    const { rows } = await sql<{ customer_id: number }>`select customer_id from customer_identity
      where workspace_id = ${ws} and value in ('j3@example.jp', 'j6@example.jp', 'j9@example.jp')
      order by customer_id`.execute(t.database.db);
    const tokyo = rows.map((r) => Number(r.customer_id)).sort();
    const members = async () =>
      ((await api('GET', `/v1/segments/${segment}/members`)).items as { customerId: number }[])
        .map((m) => m.customerId)
        .sort();
    await until(async () => (await members()).length === 3, 'Tokyo segment', { timeoutMs: 30_000 });
    expect(await members()).toEqual(tokyo);
  });
});
