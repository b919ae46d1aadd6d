import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from '../src/csv-import/import-csv.ts';
import { formatRowProblem } from '../src/csv-import/row-problem.ts';
import type { Database } from '../src/db/open-database.ts';
import { upsertStore } from '../src/stores/stores.ts';
import { createTestDatabase, newWorkspace } from './helpers.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'csv');
const TEN_ROWS = join(FIXTURES, 'customers-10-rows-2-bad.csv');
const dir = mkdtempSync(join(tmpdir(), 'kizuna-csv-'));

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

async function workspaceWithStore(): Promise<string> {
  const { workspaceId } = await newWorkspace(database);
  await upsertStore(database.db, workspaceId, { code: 'shibuya', name: '渋谷店' });
  return workspaceId;
}

async function count(workspaceId: string, table: 'customer' | 'customer_identity' | 'consent_event') {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}
    where workspace_id = ${workspaceId}`.execute(database.db);
  return rows[0]!.n;
}

describe('customers CSV', () => {
  it('reports both bad lines of the 10-row file by line and column, and imports nothing', async () => {
    const workspaceId = await workspaceWithStore();
    const summary = await importCsv(database, { kind: 'customers', file: TEN_ROWS, workspaceId });
    expect(summary.imported).toBe(false);
    expect(summary.problems.map(formatRowProblem)).toEqual([
      'line 4, column email: not an email address',
      'line 9, column birthday: not a date (YYYY-MM-DD): "1975-02-30"',
    ]);
    expect(summary.rejectedRows).toBe(2);
    expect(await count(workspaceId, 'customer')).toBe(0);
  });

  it('with skipInvalid imports the 8 good rows and writes the 2 rejects with a reason', async () => {
    const workspaceId = await workspaceWithStore();
    const file = join(dir, 'ten.csv');
    copyFileSync(TEN_ROWS, file);
    const summary = await importCsv(database, { kind: 'customers', file, workspaceId, skipInvalid: true });
    expect(summary).toMatchObject({
      imported: true,
      rows: 10,
      created: 8,
      updated: 0,
      unchanged: 0,
      rejectedRows: 2,
    });
    expect(summary.rejectsFile).toBe(`${file}.rejects.csv`);
    expect(await count(workspaceId, 'customer')).toBe(8);
    const rejects = readFileSync(`${file}.rejects.csv`, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\n');
    expect(rejects).toHaveLength(3);
    expect(rejects[0]).toMatch(/^line_user_id,email,.*,email_marketing_consent,reason$/);
    expect(rejects[1]).toMatch(/^,not-an-email,,M0003,鈴木,.*,email: not an email address$/);
    expect(rejects[2]).toContain('1975-02-30');
    // The mapped values landed where they belong: names, kana, dates in Japan time, store, consent.
    const { rows } = await sql<Record<string, unknown>>`
      select c.family_name, c.given_name_kana, c.birthday, c.gender, c.interests, c.registered_at,
        s.code as store, cc.status as email_consent
      from customer_identity i join customer c on c.workspace_id = i.workspace_id and c.id = i.customer_id
      left join store s on s.workspace_id = c.workspace_id and s.id = c.favorite_store_id
      left join customer_consent cc on cc.workspace_id = c.workspace_id and cc.customer_id = c.id and cc.channel = 'email'
      where i.workspace_id = ${workspaceId} and i.kind = 'email' and i.value = 'hanako@example.jp'`.execute(
      database.db,
    );
    expect(rows[0]).toMatchObject({
      family_name: '山田',
      given_name_kana: 'ハナコ',
      birthday: '1990-04-01',
      gender: 'female',
      interests: ['coffee', 'cake'],
      store: 'shibuya',
      email_consent: 'granted',
    });
    expect((rows[0]!.registered_at as Date).toISOString()).toBe('2024-01-15T01:00:00.000Z');
  });

  it('changes nothing when the same file is imported again, and updates only changed rows', async () => {
    const workspaceId = await workspaceWithStore();
    const file = join(dir, 'again.csv');
    copyFileSync(TEN_ROWS, file);
    await importCsv(database, { kind: 'customers', file, workspaceId, skipInvalid: true });
    const before = await sql<{ id: number; updated_at: Date }>`select id, updated_at from customer
      where workspace_id = ${workspaceId} order by id`.execute(database.db);
    const consents = await count(workspaceId, 'consent_event');
    const again = await importCsv(database, { kind: 'customers', file, workspaceId, skipInvalid: true });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 8, rejectedRows: 2 });
    const after = await sql<{ id: number; updated_at: Date }>`select id, updated_at from customer
      where workspace_id = ${workspaceId} order by id`.execute(database.db);
    expect(after.rows).toEqual(before.rows);
    expect(await count(workspaceId, 'consent_event')).toBe(consents);

    writeFileSync(file, readFileSync(file, 'utf8').replace('山田,花子', '山田,はな子'));
    const changed = await importCsv(database, { kind: 'customers', file, workspaceId, skipInvalid: true });
    expect(changed).toMatchObject({ created: 0, updated: 1, unchanged: 7 });
  });

  it('reads a UTF-8 BOM, CRLF line ends and a quoted multi-line cell, naming the line a record starts on', async () => {
    const workspaceId = await workspaceWithStore();
    const file = join(dir, 'crlf.csv');
    const lines = [
      'email,family_name,attributes.note',
      'a@example.jp,青木,"two\r\nlines"',
      'b@example.jp,石井,ok',
      'broken,上田,x',
    ];
    writeFileSync(file, `\ufeff${lines.join('\r\n')}\r\n`);
    const summary = await importCsv(database, { kind: 'customers', file, workspaceId });
    expect(summary.problems.map(formatRowProblem)).toEqual(['line 5, column email: not an email address']);
    writeFileSync(file, `\ufeff${lines.slice(0, 3).join('\r\n')}\r\n`);
    const ok = await importCsv(database, { kind: 'customers', file, workspaceId });
    expect(ok).toMatchObject({ imported: true, created: 2 });
    const { rows } = await sql<{ attributes: Record<string, unknown> }>`select attributes from customer
      where workspace_id = ${workspaceId} and family_name = '青木'`.execute(database.db);
    expect(rows[0]!.attributes).toEqual({ note: 'two\r\nlines' });
  });

  it('reads Shift_JIS with --encoding shift_jis, and names the encoding when the bytes are not UTF-8', async () => {
    const workspaceId = await workspaceWithStore();
    const file = join(dir, 'sjis.csv');
    // "email,family_name\nsjis@example.jp,東京" in Shift_JIS: 東 = 93 8C, 京 = 8B 9E.
    const bytes = Buffer.concat([
      Buffer.from('email,family_name\nsjis@example.jp,'),
      Buffer.from([0x93, 0x8c, 0x8b, 0x9e]),
      Buffer.from('\n'),
    ]);
    writeFileSync(file, bytes);
    await expect(importCsv(database, { kind: 'customers', file, workspaceId })).rejects.toThrow(
      /line 1: bytes that are not valid UTF-8.*--encoding shift_jis/,
    );
    const summary = await importCsv(database, {
      kind: 'customers',
      file,
      workspaceId,
      encoding: 'shift_jis',
    });
    expect(summary).toMatchObject({ imported: true, created: 1 });
    const { rows } = await sql<{ family_name: string }>`select family_name from customer
      where workspace_id = ${workspaceId}`.execute(database.db);
    expect(rows).toEqual([{ family_name: '東京' }]);
  });

  it('rejects an unknown column in the header, on line 1, before reading rows', async () => {
    const workspaceId = await workspaceWithStore();
    const file = join(dir, 'header.csv');
    writeFileSync(file, 'email,nickname\nx@example.jp,X\n');
    const summary = await importCsv(database, { kind: 'customers', file, workspaceId, skipInvalid: true });
    expect(summary.imported).toBe(false);
    expect(formatRowProblem(summary.problems[0]!)).toMatch(/^line 1, column nickname: unknown column/);
    expect(existsSync(`${file}.rejects.csv`)).toBe(false);
    expect(await count(workspaceId, 'customer')).toBe(0);
  });

  it('merges two stored customers when one row carries identities of both', async () => {
    const workspaceId = await workspaceWithStore();
    const file = join(dir, 'merge.csv');
    writeFileSync(file, 'email,member_no\nm1@example.jp,\n,K-9\nm1@example.jp,K-9\n');
    const summary = await importCsv(database, { kind: 'customers', file, workspaceId });
    expect(summary).toMatchObject({ created: 2, updated: 1 });
    const { rows } = await sql<{
      n: number;
    }>`select count(distinct customer_id)::int as n from customer_identity
      where workspace_id = ${workspaceId}`.execute(database.db);
    expect(rows[0]!.n).toBe(1);
  });
});
