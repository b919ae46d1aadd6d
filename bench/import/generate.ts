// Writes seeded CSV files for the import benchmark:
//   node bench/import/generate.ts customers ROWS FILE   Kizuna customers columns, one customer a row
//   node bench/import/generate.ts orders ROWS FILE      Kizuna orders columns, 1–4 line items per
//                                                       order, customers drawn from ROWS/5 emails

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const [kind, rowsArg, file] = process.argv.slice(2);
if ((kind !== 'customers' && kind !== 'orders') || !rowsArg || !file) {
  console.error('usage: node bench/import/generate.ts customers|orders ROWS FILE');
  process.exit(2);
}
const rows = Number(rowsArg);

// A small fixed-seed generator (mulberry32), so every run writes the same file.
let seed = 20_240_401;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const FAMILY = ['山田', '佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '中村', '小林', '加藤'];
const FAMILY_KANA = [
  'ヤマダ',
  'サトウ',
  'スズキ',
  'タカハシ',
  'タナカ',
  'イトウ',
  'ワタナベ',
  'ナカムラ',
  'コバヤシ',
  'カトウ',
];
const GIVEN = ['花子', '太郎', '美咲', '健', '由紀', '葵', '誠', '恵子'];
const PREFECTURES = ['東京都', '大阪府', '神奈川県', '愛知県', '福岡県', '北海道', '京都府'];
const TAGS = ['vip', 'new', 'regular', 'coffee', 'tea', 'cake'];
const ITEMS = [
  ['LATTE', 'カフェラテ', 600],
  ['CAKE', 'チーズケーキ', 550],
  ['BEANS', 'コーヒー豆 200g', 1200],
  ['DRIP', 'ドリップバッグ 10袋', 1000],
] as const;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const date = (start: number, days: number) => new Date(start + Math.floor(random() * days) * 86_400_000);
const stamp = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(Math.floor(random() * 14) + 8)}:${pad(Math.floor(random() * 60))}:00`;

function customerRow(n: number): string {
  const f = Math.floor(random() * FAMILY.length);
  const birthday = date(Date.UTC(1950, 0, 1), 365 * 55);
  const fields = [
    n % 3 === 0 ? `U${n.toString(16).padStart(32, '0')}` : '',
    `customer${n}@example.jp`,
    n % 2 === 0 ? `090${10_000_000 + (n % 89_999_999)}` : '',
    `M${pad(n, 8)}`,
    FAMILY[f],
    pick(GIVEN),
    FAMILY_KANA[f],
    '',
    `${birthday.getUTCFullYear()}-${pad(birthday.getUTCMonth() + 1)}-${pad(birthday.getUTCDate())}`,
    pick(['female', 'male', 'other', 'unanswered']),
    pick(PREFECTURES),
    `${pick(TAGS)}|${pick(TAGS)}`,
    stamp(date(Date.UTC(2022, 0, 1), 730)),
    pick(['line', 'store', 'ec', 'instagram']),
    random() < 0.6 ? 'true' : 'false',
  ];
  return `${fields.join(',')}\n`;
}

const CUSTOMER_HEADER =
  'line_user_id,email,phone,member_no,family_name,given_name,family_name_kana,given_name_kana,birthday,gender,prefecture,tags,registered_at,acquisition_source,email_marketing_consent\n';
const ORDER_HEADER =
  'order_id,customer_email,status,ordered_at,subtotal,discount,shipping,tax,total,sku,item_name,quantity,unit_price\n';

/** The rows of one order (1–4 line items); the order columns are on its first row only. */
function orderRows(n: number, customers: number): string[] {
  const items = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
    const [sku, name, price] = pick(ITEMS);
    return { sku, name, price, quantity: 1 + Math.floor(random() * 3) };
  });
  const subtotal = items.reduce((sum, i) => sum + i.price * i.quantity, 0);
  const status = random() < 0.03 ? 'refunded' : random() < 0.02 ? 'cancelled' : 'completed';
  const head = [
    `O${pad(n, 9)}`,
    `customer${Math.floor(random() * customers)}@example.jp`,
    status,
    stamp(date(Date.UTC(2022, 0, 1), 730)),
    subtotal,
    0,
    0,
    Math.floor(subtotal / 11),
    subtotal,
  ].join(',');
  return items.map(
    (item, i) =>
      `${i === 0 ? head : `O${pad(n, 9)},,,,,,,,`},${item.sku},${item.name},${item.quantity},${item.price}\n`,
  );
}

const out = createWriteStream(file);
out.write(kind === 'customers' ? CUSTOMER_HEADER : ORDER_HEADER);
let written = 0;
for (let n = 1; written < rows; n++) {
  const lines = kind === 'customers' ? [customerRow(n)] : orderRows(n, Math.max(1, Math.floor(rows / 5)));
  for (const line of lines.slice(0, rows - written)) {
    written++;
    if (!out.write(line)) await once(out, 'drain');
  }
}
out.end();
await once(out, 'finish');
console.log(`${file}: ${written} ${kind} rows`);
