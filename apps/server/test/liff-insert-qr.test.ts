// Issue #18 item 5, insert QR codes (同梱物): a per-order signed token in a LIFF URL; a member
// who proves the order (its email or the last four digits of its phone) is linked to the order's
// customer and granted the configured coupon once per order. A second scan, by the same member or
// by someone else, is answered "already claimed" and grants nothing; wrong proofs are limited.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findByIdentities } from '../src/customers/upsert-customer.ts';
import { writeInsertQrSheet } from '../src/liff/insert-cli.ts';
import { INSTRUCTION, QR_SIDE } from '../src/liff/insert-pdf.ts';
import { insertSheetItems, parseOrderList } from '../src/liff/insert-sheet.ts';
import { qrModules } from '../src/liff/qr-modules.ts';
import { createLineTestBed, type LineTestBed } from './line-setup.ts';

const LIFF_ID = '2000000002-InSeRtQr';
let bed: LineTestBed;
let ws: string;
let templateId: number;

beforeAll(async () => {
  bed = await createLineTestBed({ seed: 18 }, []);
  ws = bed.workspace.workspaceId;
  const liff = await staff('PUT', `/v1/liff/apps/${bed.channelId}`, {
    liffId: LIFF_ID,
    loginChannelId: bed.line.login.channelId,
    loginChannelSecret: 'login-secret-insert',
  });
  expect(liff.statusCode, liff.body).toBe(200);
  const template = await staff('POST', '/v1/loyalty/coupon-templates', {
    name: '同梱QR 300円引き',
    kind: 'amount_off',
    value: 300,
  });
  expect(template.statusCode, template.body).toBe(201);
  templateId = template.json().id;
  const settings = await staff('PUT', '/v1/liff/insert-settings', { couponTemplateId: templateId });
  expect(settings.json()).toEqual({ couponTemplateId: templateId });
  const orders = ['EC-1001', 'EC-1002', 'EC-1003', 'EC-1004'].map((id, i) => ({
    id,
    customer: { email: `buyer${i}@example.jp`, phone: `090-1234-56${String(78 + i)}` },
    orderedAt: '2026-11-20T12:00:00+09:00',
    total: 4800,
  }));
  const res = await staff('POST', '/v1/orders', { orders });
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(async () => bed?.close());

function staff(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) {
  return bed.app.inject({ method, url, headers: bed.auth, ...(payload ? { payload } : {}) });
}

async function member(name: string) {
  const user = bed.line.users.create({ displayName: name });
  const res = await bed.app.inject({
    method: 'POST',
    url: '/v1/liff/session',
    payload: { liffId: LIFF_ID, idToken: bed.line.login.mintIdToken(user.userId) },
  });
  expect(res.statusCode, res.body).toBe(200);
  return { userId: user.userId, token: res.json().token as string };
}

const claim = (token: string, body: object) =>
  bed.app.inject({
    method: 'POST',
    url: '/v1/liff/me/insert-claims',
    headers: { authorization: `Bearer ${token}` },
    payload: body,
  });

/** The insert token printed for an order number (the sheet's URL, as the CLI writes it). */
async function insertToken(orderNumber: string): Promise<string> {
  const [item] = await insertSheetItems(bed.database.db, bed.secrets, ws, parseOrderList(orderNumber));
  expect(item!.url).toMatch(new RegExp(`^https://liff\\.line\\.me/${LIFF_ID}\\?insert=`));
  return new URL(item!.url).searchParams.get('insert')!;
}

async function orderCustomer(orderNumber: string): Promise<number> {
  const row = await bed.database.db
    .selectFrom('customer_order')
    .select('customer_id')
    .where('workspace_id', '=', ws)
    .where('external_id', '=', orderNumber)
    .executeTakeFirstOrThrow();
  return Number(row.customer_id);
}

async function insertCoupons(customerId: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from coupon
    where workspace_id = ${ws} and template_id = ${templateId} and customer_id = ${customerId}`.execute(
    bed.database.db,
  );
  return rows[0]!.n;
}

const lineCustomer = async (userId: string) =>
  (await findByIdentities(bed.database.db, ws, [{ kind: 'line', namespace: '', value: userId }]))[0];

describe('insert QR claims', () => {
  it('a scan links the order and grants one coupon; a second scan, or another person, gets nothing', async () => {
    const token = await insertToken('EC-1001');
    const hanako = await member('山田 花子');
    const wrong = await claim(hanako.token, { token, phoneLast4: '0000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toMatchObject({ reason: 'insert_proof_mismatch' });
    expect(wrong.json().error.message).toMatch(/4 tries left/);

    const first = await claim(hanako.token, { token, phoneLast4: '5678' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'claimed', orderNumber: 'EC-1001', couponRefused: null });
    expect(first.json().coupon).toMatchObject({ name: '同梱QR 300円引き', code: expect.any(String) });
    // The LINE user now belongs to the order's customer (the two records were merged).
    const customer = await orderCustomer('EC-1001');
    expect(await lineCustomer(hanako.userId)).toBe(customer);
    expect(await insertCoupons(customer)).toBe(1);
    // The member's coupon list shows it (the session followed the merge).
    const coupons = await bed.app.inject({
      url: '/v1/liff/me/coupons',
      headers: { authorization: `Bearer ${hanako.token}` },
    });
    expect(coupons.json().items.map((c: { code: string }) => c.code)).toContain(first.json().coupon.code);

    const again = await claim(hanako.token, { token, phoneLast4: '5678' });
    expect(again.json()).toEqual({
      status: 'already_claimed',
      orderNumber: 'EC-1001',
      coupon: null,
      couponRefused: null,
    });
    const stranger = await member('他人 次郎');
    const other = await claim(stranger.token, { token, email: 'BUYER0@example.jp' });
    expect(other.json()).toMatchObject({ status: 'already_claimed', coupon: null });
    expect(await insertCoupons(customer)).toBe(1);
    const strangerCustomer = (await lineCustomer(stranger.userId))!;
    expect(strangerCustomer).not.toBe(customer);
    expect(await insertCoupons(strangerCustomer)).toBe(0);
  });

  it('the email proves the order too; a forged or another shape of token is a 400 naming token', async () => {
    const token = await insertToken('EC-1002');
    const taro = await member('鈴木 太郎');
    const forged = `${token.split('.')[0]}.${'A'.repeat(22)}`;
    for (const bad of [forged, 'hello', `${token}x`]) {
      const res = await claim(taro.token, { token: bad, email: 'buyer1@example.jp' });
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.message).toMatch(/^token: is not an insert QR code of this shop/);
    }
    const noProof = await claim(taro.token, { token });
    expect(noProof.statusCode).toBe(400);
    expect(noProof.json().error.message).toMatch(/^email:/);
    const ok = await claim(taro.token, { token, email: ' Buyer1@Example.jp ' });
    expect(ok.json()).toMatchObject({ status: 'claimed', orderNumber: 'EC-1002' });
  });

  it('five wrong proofs a day lock the order (429) even for the right answer', async () => {
    const token = await insertToken('EC-1003');
    const guesser = await member('推測 三郎');
    for (let i = 0; i < 5; i++)
      expect((await claim(guesser.token, { token, phoneLast4: `000${i}` })).statusCode).toBe(400);
    const locked = await claim(guesser.token, { token, phoneLast4: '5680' });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error).toMatchObject({ reason: 'insert_attempts_exceeded' });
    expect(await insertCoupons(await orderCustomer('EC-1003'))).toBe(0);
  });

  it('two scans of one slip at once grant one coupon', async () => {
    const token = await insertToken('EC-1004');
    const [a, b] = [await member('同時 一郎'), await member('同時 二郎')];
    const answers = await Promise.all([
      claim(a.token, { token, phoneLast4: '5681' }),
      claim(b.token, { token, email: 'buyer3@example.jp' }),
    ]);
    expect(answers.map((r) => r.json().status).sort()).toEqual(['already_claimed', 'claimed']);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from coupon
      where workspace_id = ${ws} and template_id = ${templateId} and source = 'insert_qr'
        and grant_key = 'insert:' || (select id from customer_order where workspace_id = ${ws} and external_id = 'EC-1004')`.execute(
      bed.database.db,
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('a sheet list names its bad lines; settings refuse another workspace’s template', async () => {
    expect(parseOrderList('注文番号,氏名\nEC-1001,山田\n\n"EC-1002",鈴木\n')).toEqual([
      { line: 2, ref: 'EC-1001' },
      { line: 4, ref: 'EC-1002' },
    ]);
    await expect(
      insertSheetItems(bed.database.db, bed.secrets, ws, parseOrderList('EC-1001\nEC-9999\nEC-1002\nnope')),
    ).rejects.toThrow(
      'line 2: no order "EC-9999" in this workspace; line 4: no order "nope" in this workspace',
    );
    const bad = await staff('PUT', '/v1/liff/insert-settings', { couponTemplateId: 999999 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^couponTemplateId:/);
  });
});

/** The page content streams of a PDF the sheet writer made (FlateDecode streams, in order). */
function pageStreams(pdf: Buffer): string[] {
  const streams: string[] = [];
  let at = 0;
  for (;;) {
    const head = pdf.indexOf('/Filter /FlateDecode >>\nstream\n', at);
    if (head < 0) return streams;
    const start = pdf.indexOf('stream\n', head) + 7;
    const end = pdf.indexOf('\nendstream', start);
    streams.push(inflateSync(pdf.subarray(start, end)).toString('latin1'));
    at = end;
  }
}
const utf16Hex = (text: string) => Buffer.from(text, 'utf16le').swap16().toString('hex');

describe('the insert QR sheet (kizuna liff insert-qr)', () => {
  it('writes an A4 PDF, 12 codes a page, each the order’s claim URL with its number and instruction', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kizuna-insert-'));
    const list = join(dir, 'orders.csv');
    // 13 lines (the 4 orders again and again): two pages.
    const refs = Array.from({ length: 13 }, (_, i) => `EC-100${(i % 4) + 1}`);
    writeFileSync(list, `order_id,memo\n${refs.join(',x\n')}\n`);
    const out = join(dir, 'sheet.pdf');
    const printed: string[] = [];
    const code = await writeInsertQrSheet(bed.database, bed.secrets, { orders: list, out }, (l) =>
      printed.push(l),
    );
    expect(code).toBe(0);
    expect(printed).toEqual([`${out}: 13 insert QR codes on 2 A4 pages`]);
    const pdf = readFileSync(out);
    expect(pdf.subarray(0, 8).toString()).toBe('%PDF-1.7');
    expect(pdf.toString('latin1')).toMatch(/\/Type \/Pages \/Kids \[6 0 R 8 0 R\] \/Count 2/);
    expect(pdf.toString('latin1')).toContain('/MediaBox [0 0 595.28 841.89]');
    const [first, second] = pageStreams(pdf);
    expect(first).toContain(utf16Hex('注文番号 EC-1001'));
    expect(first).toContain(utf16Hex(INSTRUCTION[0]!));
    expect(second).toContain(utf16Hex('注文番号 EC-1001'));
    // The first cell's rectangles, read back into modules, are the QR code of the order's URL.
    const url = `https://liff.line.me/${LIFF_ID}?insert=${await insertToken('EC-1001')}`;
    const expected = qrModules(url);
    const unit = QR_SIDE / expected.length;
    const rects = [...first!.matchAll(/^([\d.]+) ([\d.]+) ([\d.]+) [\d.]+ re$/gm)].map((m) =>
      m.slice(1, 4).map(Number),
    );
    // The top-left cell: left of the first column's edge, above the first row's (A4, 28 pt margins).
    const cell = rects.filter(([x, y]) => x! < 28 + 179 && y! > 841.89 - 28 - 196.47);
    const x0 = Math.min(...cell.map(([x]) => x!));
    const yTop = Math.max(...cell.map(([, y]) => y!)) + unit;
    const read = expected.map((row) => row.map(() => false));
    // Each rectangle is a run of dark modules in one row.
    for (const [x, y, width] of cell) {
      const row = read[Math.round((yTop - y! - unit) / unit)]!;
      const col = Math.round((x! - x0) / unit);
      for (let k = 0; k < Math.round(width! / unit); k++) row[col + k] = true;
    }
    expect(read).toEqual(expected);
  });

  it('refuses a list with unknown orders, naming each line, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kizuna-insert-'));
    const list = join(dir, 'orders.txt');
    writeFileSync(list, 'EC-1001\nEC-4040\n');
    const out = join(dir, 'sheet.pdf');
    await expect(writeInsertQrSheet(bed.database, bed.secrets, { orders: list, out })).rejects.toThrow(
      'line 2: no order "EC-4040" in this workspace',
    );
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });
});
