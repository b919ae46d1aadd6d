// The database's own floor: a plain COPY of the same CSV file into a table with the file's
// columns (all text, no keys, no checks), as a whole process like the import.
//
//   node bench/import/copy-baseline.ts FILE postgres URL
//   node bench/import/copy-baseline.ts FILE pglite DATA_DIR
import { createReadStream, openAsBlob, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const [file, target, where] = process.argv.slice(2);
if (!file || (target !== 'postgres' && target !== 'pglite') || !where)
  throw new Error('usage: node bench/import/copy-baseline.ts FILE postgres URL | pglite DATA_DIR');

// The header names the columns; quoted names keep them as written.
const header = readFileSync(file, 'utf8')
  .slice(0, 4096)
  .split('\n')[0]!
  .replace(/^\ufeff/, '');
const columns = header.split(',').map((name) => `"${name.trim().replace(/"/g, '""')}" text`);
const create = `create table copy_baseline (${columns.join(', ')})`;

const started = performance.now();
let rows: number;
if (target === 'postgres') {
  const client = new pg.Client({ connectionString: where });
  await client.connect();
  await client.query('drop table if exists copy_baseline');
  await client.query(create);
  const copy = client.query(copyFrom('copy copy_baseline from stdin with (format csv, header true)'));
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), copy);
  rows = Number(copy.rowCount);
  await client.end();
} else {
  const pglite = await PGlite.create({ dataDir: where });
  await pglite.exec(`drop table if exists copy_baseline; ${create}`);
  const result = await pglite.query(
    "copy copy_baseline from '/dev/blob' with (format csv, header true)",
    [],
    {
      blob: await openAsBlob(file),
    },
  );
  rows = result.affectedRows ?? 0;
  await pglite.close();
}
console.log(`${rows} rows copied in ${((performance.now() - started) / 1000).toFixed(1)} s`);
