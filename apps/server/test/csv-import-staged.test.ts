// The customers import reads the file once in segments (batchSize rows), COPYs each into a temp
// table and writes it in set-based SQL. These tests pin what segmenting must not change: file
// order across segment boundaries, all or nothing, and one customers.changed per change.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from '../src/csv-import/import-csv.ts';
import { formatRowProblem } from '../src/csv-import/row-problem.ts';
import type { Database } from '../src/db/open-database.ts';
import type { Publish } from '../src/jobs/domain-topics.ts';
import { createTestDatabase, newWorkspace } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'kizuna-csv-staged-'));

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

function csvFile(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Live customers with their identities and names, in a form that does not depend on ids. */
async function liveCustomers(workspaceId: string) {
  const { rows } = await sql<{ identities: string; family_name: string | null }>`
    select string_agg(i.kind || ':' || i.value, ' ' order by i.kind, i.value) as identities, c.family_name
    from customer c join customer_identity i on i.workspace_id = c.workspace_id and i.customer_id = c.id
    where c.workspace_id = ${workspaceId} and c.merged_into_id is null
    group by c.id, c.family_name order by 1`.execute(database.db);
  return rows;
}

async function customerCount(workspaceId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from customer
    where workspace_id = ${workspaceId}`.execute(database.db);
  return rows[0]!.n;
}

// Line 6 repeats line 2's email in a later segment (of 3 rows); line 8 joins the customers of
// lines 3 and 4, written in the segments before it.
const ORDERED = [
  'email,member_no,family_name',
  'a@example.jp,M1,青木',
  'b@example.jp,,石井',
  ',M4,上田',
  'd@example.jp,,江藤',
  'a@example.jp,,小川',
  'e@example.jp,,加藤',
  'b@example.jp,M4,',
];

describe('customers import in segments', () => {
  it('gives the same customers and counts in segments of 3 rows as in one segment (file order holds)', async () => {
    const file = csvFile('ordered.csv', ORDERED);
    const results = [];
    for (const batchSize of [3, 1000]) {
      const { workspaceId } = await newWorkspace(database);
      const summary = await importCsv(database, { kind: 'customers', file, workspaceId, batchSize });
      results.push({ summary, customers: await liveCustomers(workspaceId) });
    }
    const [segmented, whole] = results;
    expect(segmented!.customers).toEqual([
      { identities: 'email:a@example.jp external:M1', family_name: '小川' },
      { identities: 'email:b@example.jp external:M4', family_name: '石井' },
      { identities: 'email:d@example.jp', family_name: '江藤' },
      { identities: 'email:e@example.jp', family_name: '加藤' },
    ]);
    expect(whole!.customers).toEqual(segmented!.customers);
    expect(segmented!.summary).toMatchObject({ imported: true, rows: 7, created: 5, updated: 2 });
    expect(whole!.summary).toMatchObject({ created: 5, updated: 2, unchanged: 0 });
  });

  it('re-imports a file of several segments as all unchanged, touching no row', async () => {
    const { workspaceId } = await newWorkspace(database);
    const lines = ['email,phone,family_name,tags,email_marketing_consent,attributes.rank'];
    for (let n = 1; n <= 20; n++)
      lines.push(
        `c${n}@example.jp,090-1111-${String(n).padStart(4, '0')},名${n},vip|new|vip,${n % 2 ? 'yes' : 'no'},${n}`,
      );
    const file = csvFile('twenty.csv', lines);
    const first = await importCsv(database, { kind: 'customers', file, workspaceId, batchSize: 6 });
    expect(first).toMatchObject({ imported: true, created: 20 });
    const before =
      await sql`select id, updated_at from customer where workspace_id = ${workspaceId} order by id`.execute(
        database.db,
      );
    const again = await importCsv(database, { kind: 'customers', file, workspaceId, batchSize: 6 });
    expect(again).toMatchObject({ imported: true, created: 0, updated: 0, unchanged: 20 });
    const after =
      await sql`select id, updated_at from customer where workspace_id = ${workspaceId} order by id`.execute(
        database.db,
      );
    expect(after.rows).toEqual(before.rows);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from consent_event
      where workspace_id = ${workspaceId}`.execute(database.db);
    expect(rows[0]!.n).toBe(20);
  });

  it('rolls back the segments already written when a later row has a problem', async () => {
    const { workspaceId } = await newWorkspace(database);
    const file = csvFile('late-problem.csv', [
      'email,birthday',
      'p1@example.jp,1990-01-01',
      'p2@example.jp,',
      'p3@example.jp,',
      'p4@example.jp,',
      'p5@example.jp,1990-02-31',
    ]);
    const summary = await importCsv(database, { kind: 'customers', file, workspaceId, batchSize: 2 });
    expect(summary.imported).toBe(false);
    expect(summary.problems.map(formatRowProblem)).toEqual([
      'line 6, column birthday: not a date (YYYY-MM-DD): "1990-02-31"',
    ]);
    expect(summary).toMatchObject({ created: 0, updated: 0, unchanged: 0 });
    expect(await customerCount(workspaceId)).toBe(0);
  });

  it('throws on a broken quote after the first segment, writes nothing, and the next import works', async () => {
    const { workspaceId } = await newWorkspace(database);
    const broken = csvFile('broken.csv', [
      'email,family_name',
      'q1@example.jp,一',
      'q2@example.jp,二',
      'q3@example.jp,"三',
    ]);
    await expect(
      importCsv(database, { kind: 'customers', file: broken, workspaceId, batchSize: 1 }),
    ).rejects.toThrow(/line 4: a quoted field is not closed/);
    expect(await customerCount(workspaceId)).toBe(0);
    const fixed = csvFile('fixed.csv', ['email,family_name', 'q1@example.jp,一']);
    const summary = await importCsv(database, { kind: 'customers', file: fixed, workspaceId, batchSize: 1 });
    expect(summary).toMatchObject({ imported: true, created: 1 });
  });

  it('rolls back when the database refuses a staged row, and the next import works', async () => {
    const { workspaceId } = await newWorkspace(database);
    // PostgreSQL text cannot hold U+0000, so the COPY of this row fails inside the transaction.
    const nul = csvFile('nul.csv', ['email,family_name', 'n1@example.jp,一', 'n2@example.jp,A\u0000B']);
    await expect(importCsv(database, { kind: 'customers', file: nul, workspaceId })).rejects.toThrow();
    expect(await customerCount(workspaceId)).toBe(0);
    const fixed = csvFile('nul-fixed.csv', ['email,family_name', 'n1@example.jp,一', 'n2@example.jp,AB']);
    const summary = await importCsv(database, { kind: 'customers', file: fixed, workspaceId });
    expect(summary).toMatchObject({ imported: true, created: 2 });
  });

  it('publishes customers.changed once for each created or changed customer, and nothing on a re-import', async () => {
    const { workspaceId } = await newWorkspace(database);
    const published: number[] = [];
    const publish: Publish = async (_tx, topic, data) => {
      if (topic === 'customers.changed') published.push(...(data as { customerIds: number[] }).customerIds);
    };
    const file = csvFile('publish.csv', ORDERED);
    await importCsv(database, { kind: 'customers', file, workspaceId, batchSize: 3, publish });
    const { rows } = await sql<{ id: number }>`select id from customer where workspace_id = ${workspaceId}
      order by id`.execute(database.db);
    // Five customers were created; line 8 merged one into another (both are announced).
    expect(rows).toHaveLength(5);
    expect([...new Set(published)].sort((a, b) => a - b)).toEqual(rows.map((r) => r.id));
    const unchanged = csvFile('publish-again.csv', [
      'email,family_name',
      'd@example.jp,江藤',
      'e@example.jp,加藤',
    ]);
    published.length = 0;
    const again = await importCsv(database, {
      kind: 'customers',
      file: unchanged,
      workspaceId,
      batchSize: 1,
      publish,
    });
    expect(again).toMatchObject({ unchanged: 2 });
    expect(published).toEqual([]);
  });
});
