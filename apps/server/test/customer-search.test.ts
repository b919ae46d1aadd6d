import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from '../src/csv-import/import-csv.ts';
import { lookupCustomer } from '../src/customers/lookup-customer.ts';
import { searchCustomers } from '../src/customers/search-customers.ts';
import { searchKey } from '../src/customers/search-key.ts';
import { transact } from '../src/db/transact.ts';
import { lockMember } from '../src/loyalty/members.ts';
import { createTestApp, lineUserId, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
let other: { workspaceId: string; auth: { authorization: string } };
beforeAll(async () => {
  t = await createTestApp();
  const ws = await newWorkspace(t.database, '別の店');
  other = { workspaceId: ws.workspaceId, auth: { authorization: `Bearer ${ws.apiKey}` } };
});
afterAll(async () => t?.close());

async function upsert(customers: unknown[], auth = t.auth): Promise<number[]> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/customers',
    headers: auth,
    payload: { customers },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().accepted.map((a: { id: number }) => a.id);
}

async function search(q: string, extra = '', auth = t.auth) {
  return t.app.inject({ url: `/v1/customers?q=${encodeURIComponent(q)}${extra}`, headers: auth });
}

async function foundIds(q: string, auth = t.auth): Promise<number[]> {
  const res = await search(q, '&limit=500', auth);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items.map((i: { id: number }) => i.id);
}

async function lookup(query: string, auth = t.auth) {
  return t.app.inject({ url: `/v1/customers/lookup?${query}`, headers: auth });
}

describe('customer search', () => {
  let tanaka: number;
  let takahashi: number;
  beforeAll(async () => {
    [tanaka, takahashi] = (await upsert([
      {
        email: 'Hanako.Tanaka@Example.JP',
        phone: '090-1234-5678',
        external: [{ namespace: 'ec', value: 'SHOP-7781' }],
        familyName: '田中',
        givenName: '花子',
        familyNameKana: 'タナカ',
        givenNameKana: 'ハナコ',
      },
      {
        email: 'taro@example.jp',
        phone: '03-5555-0101',
        familyName: '高橋',
        givenName: '太郎',
        familyNameKana: 'たかはし',
        givenNameKana: 'たろう',
      },
    ])) as [number, number];
  });

  it('folds names in the query exactly as the database folds them (search_key in migration 0016)', async () => {
    const samples = [
      'ﾀﾅｶ ﾊﾅｺ',
      'たなか　はなこ',
      'ﾀﾞｲｽｹ',
      'Ｙａｍａｄａ Taro',
      'ゝゞゔ',
      '山田 花子',
      'Ａ１２３',
    ];
    for (const sample of samples) {
      const { rows } = await sql<{ key: string }>`select search_key(${sample}) as key`.execute(t.database.db);
      expect(rows[0]?.key, sample).toBe(searchKey(sample));
    }
    expect(searchKey('ﾀﾅｶ ﾊﾅｺ')).toBe('タナカハナコ');
    expect(searchKey('たなか　はなこ')).toBe('タナカハナコ');
  });

  it('finds a customer by kana prefix written in katakana, hiragana or half-width katakana', async () => {
    for (const q of ['ﾀﾅｶ', 'タナカ', 'たなか', 'ﾀﾅ', 'たなかはな', 'タナカ ハナコ', 'ハナコ', 'はな'])
      expect(await foundIds(q), q).toEqual([tanaka]);
    // たかはし was written in hiragana and is found in katakana and half-width too.
    for (const q of ['タカハシ', 'ﾀｶﾊｼ', 'たかは', 'タロウ'])
      expect(await foundIds(q), q).toEqual([takahashi]);
    expect((await foundIds('タ')).sort()).toEqual([tanaka, takahashi].sort());
    expect(await foundIds('ナカ')).toEqual([]);
  });

  it('finds a customer by name prefix: family name, full name and given name', async () => {
    expect(await foundIds('田中')).toEqual([tanaka]);
    expect(await foundIds('田中 花')).toEqual([tanaka]);
    expect(await foundIds('花子')).toEqual([tanaka]);
    expect(await foundIds('中')).toEqual([]);
  });

  it('finds a customer by phone in any format, as a prefix of the digits', async () => {
    for (const q of [
      '090-1234-5678',
      '09012345678',
      '+81 90 1234 5678',
      '０９０－１２３４',
      '090 12',
      '+8190',
    ])
      expect(await foundIds(q), q).toEqual([tanaka]);
    expect(await foundIds('03-5555')).toEqual([takahashi]);
    expect(await foundIds('090-9999')).toEqual([]);
  });

  it('finds a customer by email prefix in any case, external id and loyalty member number', async () => {
    expect(await foundIds('HANAKO.TANAKA@example.jp')).toEqual([tanaka]);
    expect(await foundIds('Hanako.T')).toEqual([tanaka]);
    expect(await foundIds('SHOP-77')).toEqual([tanaka]);
    expect(await foundIds('shop-77')).toEqual([]);
    const member = await transact(t.database.db, (tx) => lockMember(tx, t.workspace.workspaceId, takahashi));
    expect(await foundIds(member.member_no)).toContain(takahashi);
    expect(await foundIds(member.member_no.slice(0, 9))).toContain(takahashi);
    const found = await lookup(`kind=member&value=${member.member_no}`);
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json().id).toBe(takahashi);
  });

  it('finds a customer by LINE display name, kana folded', async () => {
    const [friend] = await upsert([{ lineUserId: lineUserId(501) }]);
    const channel = await sql<{ id: string }>`
      insert into line_channel (workspace_id, line_channel_id, secret_sealed, access_token_sealed)
      values (${t.workspace.workspaceId}, '1650009999', 'x', 'x') returning id`.execute(t.database.db);
    await sql`
      insert into line_friend (workspace_id, channel_id, line_user_id, customer_id, status, display_name, last_event_at)
      values (${t.workspace.workspaceId}, ${channel.rows[0]!.id}, ${lineUserId(501)}, ${friend!}, 'friend', 'はなちゃん 🌸', now())`.execute(
      t.database.db,
    );
    expect(await foundIds('ﾊﾅﾁｬﾝ')).toEqual([friend]);
    expect(await foundIds('はなちゃん🌸')).toEqual([friend]);
  });

  it('pages through many matches in id order without repeats or gaps, even when customers arrive between pages', async () => {
    const ids = await upsert(
      Array.from({ length: 7 }, (_, i) => ({
        email: `suzuki${i}@example.jp`,
        familyNameKana: 'スズキ',
        givenNameKana: `イチロウ${i}`,
      })),
    );
    const seen: number[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const res = await search('すずき', `&limit=3${cursor}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      seen.push(...body.items.map((i: { id: number }) => i.id));
      if (page === 0) await upsert([{ email: 'suzuki-late@example.jp', familyNameKana: 'スズキ' }]);
      if (!body.nextCursor) break;
      cursor = `&cursor=${body.nextCursor}`;
    }
    expect(seen).toEqual([...ids].sort((a, b) => b - a));
  });

  it('pages through matches found by different fields at once, each customer once', async () => {
    // Emails, romaji names and both on one customer, created interleaved: the page must merge
    // the fields' matches in id order (each field contributes at most a page of its own).
    const ids = await upsert(
      Array.from({ length: 8 }, (_, i) =>
        i % 3 === 0
          ? { email: `kobayashi${i}@example.jp`, familyName: 'Kobayashi' }
          : i % 2
            ? { email: `kobayashi${i}@example.jp` }
            : { phone: `080-1111-22${10 + i}`, familyName: 'KOBAYASHI' },
      ),
    );
    const seen: number[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const body = (await search('Kobayashi', `&limit=3${cursor}`)).json();
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((i: { id: number }) => i.id));
      if (!body.nextCursor) break;
      cursor = `&cursor=${body.nextCursor}`;
    }
    expect(seen).toEqual([...ids].sort((a, b) => b - a));
  });

  it('keeps the keys in step on update, CSV import and merge', async () => {
    const [id] = await upsert([{ email: 'change@example.jp', familyNameKana: 'ワタナベ' }]);
    await upsert([{ email: 'change@example.jp', familyNameKana: 'ｲﾄｳ' }]);
    expect(await foundIds('ワタナベ')).toEqual([]);
    expect(await foundIds('いとう')).toEqual([id]);

    const file = join(mkdtempSync(join(tmpdir(), 'kizuna-search-')), 'customers.csv');
    writeFileSync(file, 'email,phone,family_name,family_name_kana\ncsv@example.jp,080-7777-0001,中村,ﾅｶﾑﾗ\n');
    const summary = await importCsv(t.database, {
      kind: 'customers',
      file,
      workspaceId: t.workspace.workspaceId,
    });
    expect(summary).toMatchObject({ imported: true, created: 1 });
    const [imported] = await foundIds('なかむら');
    expect(imported).toBeDefined();
    expect(await foundIds('080-7777')).toEqual([imported]);

    // The older record has no kana; the merge copies the newer one's, and hides the newer one.
    const [older] = await upsert([{ email: 'merge-a@example.jp' }]);
    const [newer] = await upsert([{ phone: '070-3333-4444', familyNameKana: 'ヤマモト' }]);
    const [survivor] = await upsert([{ email: 'merge-a@example.jp', phone: '070-3333-4444' }]);
    expect(survivor).toBe(older);
    expect(await foundIds('やまもと')).toEqual([older]);
    expect(await foundIds('070-3333')).toEqual([older]);
    expect(newer).not.toBe(older);
  });

  it('never shows another workspace its customers', async () => {
    const [theirs] = await upsert(
      [{ email: 'hanako.tanaka@example.jp', phone: '090-1234-5678', familyNameKana: 'タナカ' }],
      other.auth,
    );
    expect(await foundIds('タナカ', other.auth)).toEqual([theirs]);
    expect(await foundIds('タナカ')).toEqual([tanaka]);
    expect(await foundIds('090-1234', other.auth)).toEqual([theirs]);
    const mine = await lookup('kind=email&value=hanako.tanaka@example.jp');
    expect(mine.json().id).toBe(tanaka);
    expect((await lookup('kind=external&namespace=ec&value=SHOP-7781', other.auth)).statusCode).toBe(404);
  });

  it('looks a customer up by one identity in any format, or answers 404', async () => {
    for (const query of [
      'kind=email&value=HANAKO.TANAKA%40example.jp',
      `kind=phone&value=${encodeURIComponent('+81 90 1234 5678')}`,
      'kind=phone&value=09012345678',
      'kind=external&namespace=ec&value=SHOP-7781',
    ]) {
      const res = await lookup(query);
      expect(res.statusCode, query).toBe(200);
      expect(res.json()).toMatchObject({ id: tanaka, familyNameKana: 'タナカ' });
    }
    const [line] = await upsert([{ lineUserId: lineUserId(777), familyName: '線' }]);
    expect((await lookup(`kind=line&value=${lineUserId(777)}`)).json().id).toBe(line);
    expect((await lookup('kind=email&value=nobody%40example.jp')).statusCode).toBe(404);
    expect((await lookup('kind=member&value=000000000000')).statusCode).toBe(404);
    expect((await lookup('kind=external&namespace=ec&value=SHOP-77')).statusCode).toBe(404);
  });

  it('answers bad input with a 400 that names the field', async () => {
    const cases: [string, string][] = [
      [`/v1/customers?q=${'あ'.repeat(101)}`, 'q'],
      ['/v1/customers?q=ab%00cd', 'q'],
      ['/v1/customers?q=%20%20', 'q'],
      ['/v1/customers?q=', 'q'],
      ['/v1/customers/lookup?kind=fax&value=1', 'kind'],
      ['/v1/customers/lookup?kind=email', 'value'],
      ['/v1/customers/lookup?kind=email&value=a%00b', 'value'],
      ['/v1/customers/lookup?kind=phone&value=12', 'value'],
      ['/v1/customers/lookup?kind=email&value=not-an-address', 'value'],
      ['/v1/customers/lookup?kind=external&value=SHOP-7781', 'namespace'],
      ['/v1/customers/lookup?kind=external&namespace=EC!&value=x', 'namespace'],
    ];
    for (const [url, field] of cases) {
      const res = await t.app.inject({ url, headers: t.auth });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.body, url).toContain(field);
    }
  });

  it('refuses lone surrogates in the search and lookup functions the routes call', async () => {
    // A URL cannot carry a lone surrogate: its UTF-8 escape (%ED%A0%80) does not decode, and the
    // query parser keeps such an escape as the literal text, which finds nothing.
    const literal = await search('%ED%A0%80');
    expect(literal.statusCode).toBe(200);
    expect(literal.json().items).toEqual([]);
    const { db } = t.database;
    const ws = t.workspace.workspaceId;
    await expect(searchCustomers(db, ws, { q: 'タ\ud800', limit: 5 })).rejects.toMatchObject({
      code: 'invalid',
      problems: [{ path: 'q' }],
    });
    await expect(
      lookupCustomer(db, ws, { kind: 'email', value: '\udc00a@example.jp' }),
    ).rejects.toMatchObject({
      code: 'invalid',
      problems: [{ path: 'value' }],
    });
  });
});
