// prepared(): on PostgreSQL a marked statement becomes a named statement of the connection
// (pg_prepared_statements lists it) and returns the same rows; on PGlite the marker is a comment.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/open-database.ts';
import { prepared } from '../src/db/prepared-statements.ts';
import { createTestDatabase, TEST_DATABASE_URL } from './helpers.ts';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase({ migrated: false });
  await sql`create table prepared_probe (id int primary key, n int not null default 0)`.execute(database.db);
  await sql`insert into prepared_probe (id) select generate_series(1, 3)`.execute(database.db);
});
afterAll(async () => database?.close());

const bump = (id: number) =>
  prepared('test.bump', sql<{ n: number }>`update prepared_probe set n = n + 1 where id = ${id} returning n`);

describe('prepared statements', () => {
  it('return the rows of the statement, every time', async () => {
    expect((await bump(1).execute(database.db)).rows).toEqual([{ n: 1 }]);
    expect((await bump(1).execute(database.db)).rows).toEqual([{ n: 2 }]);
    expect((await bump(2).execute(database.db)).rows).toEqual([{ n: 1 }]);
    expect((await bump(9).execute(database.db)).rows).toEqual([]);
  });

  it.runIf(TEST_DATABASE_URL)(
    'are named per text on PostgreSQL; unmarked statements are not prepared',
    async () => {
      const names = await database.db.transaction().execute(async (tx) => {
        await bump(3).execute(tx);
        // The same marker on another text gets another name, not node-postgres's "must be unique" error.
        await prepared('test.bump', sql`select n from prepared_probe where id = ${3}`).execute(tx);
        await sql`select n from prepared_probe where id = ${3}`.execute(tx);
        const { rows } = await sql<{ name: string; statement: string }>`
          select name, statement from pg_prepared_statements order by name`.execute(tx);
        return rows;
      });
      expect(names).toHaveLength(2);
      for (const row of names) {
        expect(row.name).toMatch(/^test\.bump_[0-9a-f]{12}$/);
        expect(row.statement).toMatch(/^\/\* prepared test\.bump \*\//);
      }
      expect(new Set(names.map((r) => r.name)).size).toBe(2);
    },
  );
});
