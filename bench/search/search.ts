// bench/search: customer search through GET /v1/customers?q= on PostgreSQL with 1M customers, by
// kana prefix and by phone, beside an index-only lookup of the same rows in the same run.
//
//   node bench/search/search.ts [--customers 1000000] [--queries 300] [--url postgres://…/postgres]
//
// It creates (and afterwards drops) a scratch database `kizuna_bench_search` on that server.

import { parseArgs } from 'node:util';
import { buildApp } from '@kizuna/server/app';
import { openDatabase } from '@kizuna/server/database';
import { createApiKey } from '@kizuna/server/internal/workspaces/api-keys';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import { sql } from 'kysely';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '300' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    // Keep the scratch database afterwards, and reuse a kept one instead of generating again.
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
  },
});
const total = Number(values.customers);
const queryCount = Number(values.queries);
const dbName = 'kizuna_bench_search';

// Common surnames and given names with their readings; (n * a) mod len picks them, so each
// surname holds about total / FAMILY.length customers, like a shop's real spread of 佐藤 and 鈴木.
const FAMILY: [string, string][] = [
  ['佐藤', 'サトウ'],
  ['鈴木', 'スズキ'],
  ['高橋', 'タカハシ'],
  ['田中', 'タナカ'],
  ['伊藤', 'イトウ'],
  ['渡辺', 'ワタナベ'],
  ['山本', 'ヤマモト'],
  ['中村', 'ナカムラ'],
  ['小林', 'コバヤシ'],
  ['加藤', 'カトウ'],
  ['吉田', 'ヨシダ'],
  ['山田', 'ヤマダ'],
  ['佐々木', 'ササキ'],
  ['山口', 'ヤマグチ'],
  ['松本', 'マツモト'],
  ['井上', 'イノウエ'],
  ['木村', 'キムラ'],
  ['林', 'ハヤシ'],
  ['斎藤', 'サイトウ'],
  ['清水', 'シミズ'],
  ['山崎', 'ヤマザキ'],
  ['森', 'モリ'],
  ['池田', 'イケダ'],
  ['橋本', 'ハシモト'],
  ['阿部', 'アベ'],
  ['石川', 'イシカワ'],
  ['山下', 'ヤマシタ'],
  ['中島', 'ナカジマ'],
  ['石井', 'イシイ'],
  ['小川', 'オガワ'],
  ['前田', 'マエダ'],
  ['岡田', 'オカダ'],
  ['長谷川', 'ハセガワ'],
  ['藤田', 'フジタ'],
  ['後藤', 'ゴトウ'],
  ['近藤', 'コンドウ'],
  ['村上', 'ムラカミ'],
  ['遠藤', 'エンドウ'],
  ['青木', 'アオキ'],
  ['坂本', 'サカモト'],
];
const GIVEN: [string, string][] = [
  ['花子', 'ハナコ'],
  ['太郎', 'タロウ'],
  ['陽菜', 'ヒナ'],
  ['結衣', 'ユイ'],
  ['大翔', 'ヒロト'],
  ['蓮', 'レン'],
  ['さくら', 'サクラ'],
  ['美咲', 'ミサキ'],
  ['健太', 'ケンタ'],
  ['翔太', 'ショウタ'],
  ['由美', 'ユミ'],
  ['直樹', 'ナオキ'],
  ['恵子', 'ケイコ'],
  ['誠', 'マコト'],
  ['愛', 'アイ'],
  ['拓也', 'タクヤ'],
  ['彩', 'アヤ'],
  ['大輔', 'ダイスケ'],
  ['麻衣', 'マイ'],
  ['隆', 'タカシ'],
  ['真由美', 'マユミ'],
  ['和也', 'カズヤ'],
  ['優子', 'ユウコ'],
  ['浩二', 'コウジ'],
  ['千尋', 'チヒロ'],
  ['裕子', 'ユウコ'],
  ['翼', 'ツバサ'],
  ['美穂', 'ミホ'],
  ['亮', 'リョウ'],
  ['舞', 'マイ'],
];

const phoneOf = (n: number) =>
  `+81${['90', '80', '70'][n % 3]}${String((n * 48271) % 100_000_000).padStart(8, '0')}`;

const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
const benchUrl = values.url.replace(/\/[^/]*$/, `/${dbName}`);
const reuse =
  values.reuse &&
  (await admin.query('select 1 from pg_database where datname = $1', [dbName])).rowCount === 1;
if (!reuse) {
  await admin.query(`drop database if exists ${dbName}`);
  await admin.query(`create database ${dbName}`);
}
const database = await openDatabase({ kind: 'postgres', url: benchUrl, poolSize: 4 });
await migrate(database);

/** The bench workspaces: made here, or (with --reuse) found, with a new API key for the bench one. */
async function workspaces(): Promise<{ workspaceId: string; apiKey: string; otherId: string }> {
  if (reuse) {
    const { rows } = await sql<{ id: string; name: string }>`select id, name from workspace`.execute(
      database.db,
    );
    const workspaceId = rows.find((r) => r.name === 'bench')!.id;
    const { token } = await createApiKey(database.db, { workspaceId, name: 'bench', scopes: ['read'] });
    return { workspaceId, apiKey: token, otherId: rows.find((r) => r.name === 'other')!.id };
  }
  const bench = await initWorkspace(database.db, { name: 'bench', ownerEmail: 'bench@example.jp' });
  // A second workspace with the same names: every query must skip its rows through the index.
  const other = await initWorkspace(database.db, { name: 'other', ownerEmail: 'other@example.jp' });
  return { workspaceId: bench.workspaceId, apiKey: bench.apiKey, otherId: other.workspaceId };
}
const { workspaceId, apiKey, otherId } = await workspaces();

async function generate(ws: string, count: number): Promise<number> {
  const started = performance.now();
  await sql`
    insert into customer (workspace_id, family_name, given_name, family_name_kana, given_name_kana, registered_at)
    select ${ws}::uuid, f[1], g[1], f[2], g[2], now() - make_interval(days => n % 2000)
    from generate_series(1, ${count}::int) n,
      lateral (select (${JSON.stringify(FAMILY)}::jsonb -> ((n::bigint * 7919) % ${FAMILY.length})::int) as fj,
                      (${JSON.stringify(GIVEN)}::jsonb -> (((n::bigint / ${FAMILY.length}) * 104729) % ${GIVEN.length})::int) as gj) j,
      lateral (select array[fj->>0, fj->>1] as f, array[gj->>0, gj->>1] as g) a`.execute(database.db);
  // Customer ids are an identity column: the workspace's rows got consecutive ids from `first`.
  const { rows } = await sql<{
    first: string;
  }>`select min(id) as first from customer where workspace_id = ${ws}`.execute(database.db);
  const first = Number(rows[0]!.first);
  await sql`
    insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
    select ${ws}::uuid, 'phone', '', '+81' || (array['90','80','70'])[((id - ${first} + 1) % 3) + 1]
             || lpad((((id - ${first} + 1) * 48271) % 100000000)::text, 8, '0'), id
    from customer where workspace_id = ${ws}
    on conflict do nothing`.execute(database.db);
  await sql`
    insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
    select ${ws}::uuid, 'email', '', 'user' || (id - ${first} + 1) || '@example.jp', id
    from customer where workspace_id = ${ws}`.execute(database.db);
  console.log(
    `  ${count.toLocaleString()} customers in ${ws === workspaceId ? 'the bench' : 'another'} workspace: ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return first;
}

if (reuse) {
  console.log(`reusing ${dbName}`);
} else {
  console.log(`generating (${total.toLocaleString()} customers, each with a phone and an email) …`);
  await generate(workspaceId, total);
  await generate(otherId, Math.round(total / 10));
  await sql`vacuum analyze`.execute(database.db);
}

// Queries: kana as staff type them (hiragana, katakana or half-width; a surname and the start of
// the given name, or the surname alone), phones in the formats customers give them.
const toHiragana = (s: string) =>
  s.replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
const FULL_KANA =
  'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッー';
const HALF_KANA = 'ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ';
function toHalfWidth(s: string): string {
  // ガ → ｶﾞ: NFD splits off the voicing mark, which has its own half-width form.
  return [...s.normalize('NFD')]
    .map((c) => (c === '\u3099' ? 'ﾞ' : c === '\u309a' ? 'ﾟ' : (HALF_KANA[FULL_KANA.indexOf(c)] ?? c)))
    .join('');
}
let seed = 20261206;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
const writeAs = (kana: string) => pick([kana, toHiragana(kana), toHalfWidth(kana)]);

function kanaQuery(surnameOnly: boolean): string {
  const [, family] = pick(FAMILY);
  if (surnameOnly) return writeAs(family);
  const [, given] = pick(GIVEN);
  return writeAs(family + given.slice(0, 1));
}
function phoneQuery(): { q: string; e164: string } {
  const e164 = phoneOf(1 + Math.floor(random() * total));
  const national = `0${e164.slice(3)}`;
  const formats = [
    `${national.slice(0, 3)}-${national.slice(3, 7)}-${national.slice(7)}`,
    national,
    `+81 ${e164.slice(3, 5)} ${e164.slice(5, 9)} ${e164.slice(9)}`,
    `${national.slice(0, 3)}-${national.slice(3, 7)}`, // a prefix: 090-1234
  ];
  const q = pick(formats);
  const digits = q.startsWith('+') ? q.replace(/[^0-9]/g, '') : `81${q.replace(/[^0-9]/g, '').slice(1)}`;
  return { q, e164: `+${digits}` };
}

const app = await buildApp({ database, logger: false });
const address = await app.listen({ host: '127.0.0.1', port: 0 });
const headers = { authorization: `Bearer ${apiKey}` };
const direct = new pg.Client({ connectionString: benchUrl });
await direct.connect();

const nextKey = (s: string) => s.slice(0, -1) + String.fromCodePoint(s.codePointAt(s.length - 1)! + 1);
const toKey = (q: string) =>
  q
    .normalize('NFKC')
    .replace(/\s/g, '')
    .replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));

interface Case {
  name: string;
  q: () => { q: string; baseline: () => Promise<unknown> };
}
// The baseline answers the same page (50 newest ids) from one index alone, with the key already
// normalised: what the search would cost without HTTP, parsing, folding and the other fields.
const kanaBaseline = (q: string) => () => {
  const key = toKey(q);
  return direct.query(
    `select id from customer where workspace_id = $1 and merged_into_id is null
       and search_kana >= $2 and search_kana < $3 order by id desc limit 51`,
    [workspaceId, key, nextKey(key)],
  );
};
const CASES: Case[] = [
  {
    name: 'kana: surname + start of given name (≈ 0.1% of customers)',
    q: () => {
      const q = kanaQuery(false);
      return { q, baseline: kanaBaseline(q) };
    },
  },
  {
    name: 'kana: surname alone (≈ 2.5% of customers)',
    q: () => {
      const q = kanaQuery(true);
      return { q, baseline: kanaBaseline(q) };
    },
  },
  {
    // The worst a staff member can type: one kana, the first of a surname (サ: 4 of the 40).
    name: 'kana: one character (2.5-10% of customers)',
    q: () => {
      const q = writeAs(pick(FAMILY)[1].slice(0, 1));
      return { q, baseline: kanaBaseline(q) };
    },
  },
  {
    name: 'phone: full number or 090-1234 prefix, any format',
    q: () => {
      const { q, e164 } = phoneQuery();
      return {
        q,
        baseline: () =>
          direct.query(
            `select customer_id from customer_identity where workspace_id = $1 and kind = 'phone'
               and value collate "C" >= $2 and value collate "C" < $3 order by customer_id desc limit 51`,
            [workspaceId, e164, nextKey(e164)],
          ),
      };
    },
  },
];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

console.log(`\n${queryCount} queries per case, one client, interleaved with the baseline`);
for (const c of CASES) {
  const api: number[] = [];
  const base: number[] = [];
  let found = 0;
  for (let i = 0; i < queryCount + 20; i++) {
    const { q, baseline } = c.q();
    const apiMs = await time(async () => {
      const res = await fetch(`${address}/v1/customers?q=${encodeURIComponent(q)}&limit=50`, { headers });
      if (res.status !== 200) throw new Error(`${q}: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { items: unknown[] };
      found += body.items.length;
    });
    const baseMs = await time(baseline);
    // The first 20 warm the caches and the connection pools.
    if (i >= 20) {
      api.push(apiMs);
      base.push(baseMs);
    }
  }
  api.sort((a, b) => a - b);
  base.sort((a, b) => a - b);
  console.log(`\n${c.name}`);
  console.log(
    `  GET /v1/customers?q=  p50 ${ms(percentile(api, 50))}  p95 ${ms(percentile(api, 95))}  max ${ms(api.at(-1)!)}`,
  );
  console.log(
    `  index-only baseline   p50 ${ms(percentile(base, 50))}  p95 ${ms(percentile(base, 95))}  max ${ms(base.at(-1)!)}`,
  );
  console.log(
    `  ratio p95 ${(percentile(api, 95) / percentile(base, 95)).toFixed(1)}×; ${(found / (queryCount + 20)).toFixed(1)} customers per page on average`,
  );
}

await app.close();
await direct.end();
await database.close();
if (!values.keep) await admin.query(`drop database ${dbName}`);
await admin.end();
