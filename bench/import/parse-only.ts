// The floor the importer is compared against: read and parse the same file with the same
// streaming reader, and do nothing with the rows.
import { readCsv } from '@kizuna/server/internal/csv-import/read-csv';

const file = process.argv[2];
if (!file) throw new Error('usage: node bench/import/parse-only.ts FILE');
let rows = -1;
for await (const _record of readCsv(file)) rows++;
console.log(`${rows} rows parsed`);
