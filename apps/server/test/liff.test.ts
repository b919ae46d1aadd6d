// The LIFF member API against the LINE sandbox's LINE Login: ID tokens verified through its
// JWKS over HTTP, member sessions, isolation between members and from staff credentials, the
// card's QR at the till under simulated time, and the first-open survey.
import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { type LineSandbox, startLineSandbox } from '@kizuna/line-sandbox';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeCustomers } from '../src/customers/merge-customers.ts';
import { transact } from '../src/db/transact.ts';
import { createSimulatedTime, type SimulatedTime } from '../src/jobs/simulated-time.ts';
import { qrModules } from '../src/liff/qr-modules.ts';
import { addStamps, createStampCardTemplate } from '../src/loyalty/stamp-cards.ts';
import { upsertStore } from '../src/stores/stores.ts';
import { loginBrowser } from './auth-helpers.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import { makeFriends, SANDBOX_HOSTS } from './line-setup.ts';

const LIFF_ID = '2000000001-AbCdEfGh';
const START = new Date('2027-04-01T10:00:00+09:00');

let t: TestApp;
let line: LineSandbox;
let time: SimulatedTime;
let ws: string;
let channelId: string;

beforeAll(async () => {
  time = createSimulatedTime(START);
  t = await createTestApp({ lineHosts: SANDBOX_HOSTS, simulatedTime: time });
  ws = t.workspace.workspaceId;
  // The sandbox mints tokens on Kizuna's simulated clock, as LINE's clock and the server's agree.
  // The sandbox's login channel has the secret Kizuna is given below: web login's HS256 ID tokens
  // are signed with it.
  line = await startLineSandbox({
    seed: 3,
    clock: () => time.clock.now().getTime(),
    loginChannelSecret: 'login-secret-abcdef',
  });
  const channel = await t.app.inject({
    method: 'PUT',
    url: '/v1/line/channels/1650000001',
    headers: t.auth,
    payload: { channelSecret: 'secret-0001', accessToken: 'token-0001', apiBaseUrl: line.url },
  });
  expect(channel.statusCode).toBe(200);
  channelId = channel.json().id;
  const liff = await t.app.inject({
    method: 'PUT',
    url: `/v1/liff/apps/${channelId}`,
    headers: t.auth,
    payload: {
      liffId: LIFF_ID,
      loginChannelId: line.login.channelId,
      loginChannelSecret: 'login-secret-abcdef',
    },
  });
  expect(liff.statusCode).toBe(200);
});
afterAll(async () => {
  await line?.close();
  await t?.close();
});

const session = (idToken: string, extra: Record<string, string | boolean> = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/liff/session', payload: { liffId: LIFF_ID, idToken, ...extra } });

async function memberToken(userId: string): Promise<string> {
  const res = await session(line.login.mintIdToken(userId));
  expect(res.statusCode, res.body).toBe(200);
  return res.json().token;
}

const asMember = (token: string, method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

const staff = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: t.auth,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

/** Every member route, with a body where it needs one. */
const MEMBER_ROUTES: { method: 'GET' | 'PUT' | 'DELETE'; url: string; payload?: unknown }[] = [
  { method: 'GET', url: '/v1/liff/me/card' },
  { method: 'GET', url: '/v1/liff/me/points' },
  { method: 'GET', url: '/v1/liff/me/stamp-cards' },
  { method: 'GET', url: '/v1/liff/me/coupons' },
  { method: 'GET', url: '/v1/liff/me/coupons/K7QM-4XRT-9BHN' },
  { method: 'GET', url: '/v1/liff/me/profile' },
  { method: 'PUT', url: '/v1/liff/me/profile', payload: { answers: {} } },
  { method: 'DELETE', url: '/v1/liff/session' },
];

describe('POST /v1/liff/session: ID token verification', () => {
  it('refuses forged, expired, wrong-audience, wrong-issuer and wrong-nonce ID tokens with a 401 naming idToken', async () => {
    const user = line.users.create({ displayName: '偽 太郎' });
    const now = Math.floor(time.clock.now().getTime() / 1000);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cases: [string, string, RegExp, Record<string, string>?][] = [
      [
        'forged (another key)',
        line.login.mintIdToken(user.userId, { signingKey: privateKey }),
        /signature does not verify/,
      ],
      ['expired', line.login.mintIdToken(user.userId, { iat: now - 7200, exp: now - 3600 }), /expired/],
      ['wrong audience', line.login.mintIdToken(user.userId, { aud: '1999999999' }), /audience/],
      ['wrong issuer', line.login.mintIdToken(user.userId, { iss: 'https://evil.example' }), /issuer/],
      [
        'wrong nonce',
        line.login.mintIdToken(user.userId, { nonce: 'n-1' }),
        /nonce does not match/,
        { nonce: 'n-2' },
      ],
      ['missing nonce', line.login.mintIdToken(user.userId), /nonce does not match/, { nonce: 'n-2' }],
      ['not a JWT', 'hello.world.x', /not a valid JWT/],
    ];
    for (const [what, token, message, extra] of cases) {
      const res = await session(token, extra);
      expect(res.statusCode, what).toBe(401);
      const { error } = res.json();
      expect(error.message, what).toMatch(message);
      expect(error.problems[0].path, what).toBe('idToken');
    }
    // Nothing was created for the refused user.
    const { rows } =
      await sql`select 1 from customer_identity where workspace_id = ${ws} and value = ${user.userId}`.execute(
        t.database.db,
      );
    expect(rows).toHaveLength(0);
    // The matching nonce passes; an unknown LIFF id is a 400 naming liffId.
    expect(
      (await session(line.login.mintIdToken(user.userId, { nonce: 'n-3' }), { nonce: 'n-3' })).statusCode,
    ).toBe(200);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/liff/session',
      payload: { liffId: '2000000001-Nope1234', idToken: line.login.mintIdToken(user.userId) },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.problems[0].path).toBe('liffId');
  });

  it("accepts web login's HS256 ID token signed with the login channel secret; refuses another secret, alg none and an HMAC keyed with LINE's public key", async () => {
    const user = line.users.create({ displayName: 'ウェブ 花子' });
    const hs256 = line.login.mintIdToken(user.userId, { alg: 'HS256' });
    expect(JSON.parse(Buffer.from(hs256.split('.')[0] ?? '', 'base64url').toString()).alg).toBe('HS256');
    const opened = await session(hs256);
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json()).toMatchObject({ tokenType: 'Bearer', newCustomer: true });
    // The ES256 token of the same LINE user opens a session for the same customer.
    const viaEs256 = (await session(line.login.mintIdToken(user.userId))).json();
    expect(viaEs256.newCustomer).toBe(false);
    const memberNo = async (token: string) =>
      (await asMember(token, 'GET', '/v1/liff/me/card')).json().memberNo;
    expect(await memberNo(viaEs256.token)).toBe(await memberNo(opened.json().token));

    // Alg confusion: an HMAC whose key is the JWKS public key (as JWK JSON or PEM) proves nothing,
    // since that key is public.
    const jwk = line.login.jwks().keys[0] as JsonWebKey;
    const pem = createPublicKey({ key: jwk, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const stranger = line.users.create({ displayName: '偽 次郎' });
    const cases: [string, string, RegExp][] = [
      [
        'HS256 with another secret',
        line.login.mintIdToken(stranger.userId, { alg: 'HS256', hmacSecret: 'another-secret' }),
        /signature does not verify with the LINE Login channel's secret/,
      ],
      [
        'HS256 keyed with the JWK',
        line.login.mintIdToken(stranger.userId, { alg: 'HS256', hmacSecret: JSON.stringify(jwk) }),
        /signature does not verify/,
      ],
      [
        'HS256 keyed with the PEM',
        line.login.mintIdToken(stranger.userId, { alg: 'HS256', hmacSecret: pem }),
        /signature does not verify/,
      ],
      ['alg none', line.login.mintIdToken(stranger.userId, { alg: 'none' }), /signed with none; LINE signs/],
      [
        'alg none with a signature',
        `${line.login.mintIdToken(stranger.userId, { alg: 'none' })}c2ln`,
        /signed with none/,
      ],
    ];
    for (const [what, token, message] of cases) {
      const res = await session(token);
      expect(res.statusCode, what).toBe(401);
      expect(res.json().error.message, what).toMatch(message);
      expect(res.json().error.problems[0].path, what).toBe('idToken');
      expect(res.json().error.reason, what).toBe('id_token_invalid');
    }
    const { rows } =
      await sql`select 1 from customer_identity where workspace_id = ${ws} and value = ${stranger.userId}`.execute(
        t.database.db,
      );
    expect(rows).toHaveLength(0);
  });

  it('a known friend keeps their customer; a new LINE user becomes one (acquisition source liff)', async () => {
    const [friendId] = await makeFriends(t.database.db, ws, 0x7001, 1);
    const friend = line.users.create({
      userId: `U${(0x7001).toString(16).padStart(32, '0')}`,
      displayName: '既存 友子',
    });
    const first = await session(line.login.mintIdToken(friend.userId));
    expect(first.json()).toMatchObject({ tokenType: 'Bearer', firstOpen: true, newCustomer: false });
    expect(first.json().token).toMatch(/^kzm_/);
    expect(Date.parse(first.json().expiresAt) - time.clock.now().getTime()).toBe(30 * 60_000);
    expect(first.json().expiresInSeconds).toBe(30 * 60);
    const card = (await asMember(first.json().token, 'GET', '/v1/liff/me/card')).json();
    const summary = (await staff('GET', `/v1/loyalty/members/${friendId}`)).json();
    expect(card.memberNo).toBe(summary.memberNo);

    const stranger = line.users.create({ displayName: '新規 花子' });
    const opened = await session(line.login.mintIdToken(stranger.userId));
    expect(opened.json()).toMatchObject({ firstOpen: true, newCustomer: true });
    const { rows } = await sql<{ acquisition_source: string }>`
      select c.acquisition_source from customer c join customer_identity i
        on i.workspace_id = c.workspace_id and i.customer_id = c.id
      where c.workspace_id = ${ws} and i.kind = 'line' and i.value = ${stranger.userId}`.execute(
      t.database.db,
    );
    expect(rows).toEqual([{ acquisition_source: 'liff' }]);
    // Opening again finds the same customer.
    expect((await session(line.login.mintIdToken(stranger.userId))).json().newCustomer).toBe(false);
    // withCard: the answer carries the card GET /v1/liff/me/card gives (the app's first screen in
    // one round trip); without it, no card.
    expect(first.json().card).toBeUndefined();
    const withCard = (await session(line.login.mintIdToken(friend.userId), { withCard: true })).json();
    expect(withCard.card.memberNo).toBe(summary.memberNo);
    expect(withCard.card.qr.payload.length).toBeGreaterThan(20);
    // The code comes encoded (the phone only draws it): a square of 17 + 4·version modules with
    // the three finder patterns in its corners, the payload's encoding at error correction M.
    const modules: string[] = withCard.card.qr.modules;
    expect((modules.length - 17) % 4).toBe(0);
    for (const row of modules) expect(row).toMatch(new RegExp(`^[01]{${modules.length}}$`));
    const finder = ['1111111', '1000001', '1011101', '1011101', '1011101', '1000001', '1111111'];
    const end = modules.length - 7;
    expect(modules.slice(0, 7).map((r) => r.slice(0, 7))).toEqual(finder);
    expect(modules.slice(0, 7).map((r) => r.slice(end))).toEqual(finder);
    expect(modules.slice(end).map((r) => r.slice(0, 7))).toEqual(finder);
    expect(modules).toEqual(
      qrModules(withCard.card.qr.payload).map((r) => r.map((d) => (d ? '1' : '0')).join('')),
    );
    const scan = await staff('POST', '/v1/loyalty/till/scan', { qr: withCard.card.qr.payload });
    expect(scan.statusCode, scan.body).toBe(200);
    expect(scan.json().customerId).toBe(friendId);
  });
});

describe('member sessions and staff credentials never stand in for each other', () => {
  it('every member route refuses no credentials, an API key, a staff session and an expired member session', async () => {
    const browser = await loginBrowser(t.app, t.workspace.ownerEmail, t.workspace.ownerPassword!);
    const user = line.users.create({ displayName: '期限 切子' });
    const token = await memberToken(user.userId);
    for (const route of MEMBER_ROUTES) {
      const call = (headers: Record<string, string>) =>
        t.app.inject({
          method: route.method,
          url: route.url,
          headers,
          ...(route.payload === undefined ? {} : { payload: route.payload as object }),
        });
      const what = `${route.method} ${route.url}`;
      expect((await call({})).statusCode, `${what} without credentials`).toBe(401);
      const withKey = await call(t.auth);
      expect(withKey.statusCode, `${what} with an API key`).toBe(401);
      expect(withKey.json().error.message).toMatch(/do not take an API key/);
      expect((await call(browser.headers(ws))).statusCode, `${what} with a staff session`).toBe(401);
    }
    await time.advanceBy(30 * 60_000 + 1000);
    const expired = await asMember(token, 'GET', '/v1/liff/me/card');
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.reason).toBe('member_session_expired');
    // Renewal: a fresh ID token opens a fresh session.
    const renewed = await memberToken(user.userId);
    expect((await asMember(renewed, 'GET', '/v1/liff/me/card')).statusCode).toBe(200);
    // Logging out ends it.
    expect((await asMember(renewed, 'DELETE', '/v1/liff/session')).statusCode).toBe(204);
    expect((await asMember(renewed, 'GET', '/v1/liff/me/card')).statusCode).toBe(401);
  });

  it('staff routes refuse a member session token', async () => {
    const user = line.users.create({ displayName: '会員 一郎' });
    const token = await memberToken(user.userId);
    const member = { authorization: `Bearer ${token}` };
    const [customerId] = (
      await sql<{
        customer_id: number;
      }>`select customer_id from customer_identity where workspace_id = ${ws} and value = ${user.userId}`.execute(
        t.database.db,
      )
    ).rows.map((r) => r.customer_id);
    const card = (await asMember(token, 'GET', '/v1/liff/me/card')).json();
    const staffCalls = [
      { method: 'GET' as const, url: '/v1/customers' },
      { method: 'GET' as const, url: `/v1/customers/${customerId}` },
      { method: 'GET' as const, url: `/v1/loyalty/members/${customerId}` },
      { method: 'POST' as const, url: '/v1/loyalty/till/scan', payload: { qr: card.qr.payload } },
      { method: 'POST' as const, url: `/v1/loyalty/members/${customerId}/card` },
      { method: 'GET' as const, url: '/v1/liff/apps' },
      { method: 'GET' as const, url: '/v1/liff/survey' },
      { method: 'PUT' as const, url: '/v1/liff/survey', payload: { questions: [] } },
    ];
    for (const call of staffCalls) {
      const res = await t.app.inject({ ...call, headers: member });
      expect(res.statusCode, `${call.method} ${call.url}`).toBe(401);
    }
  });
});

describe('a member reads only their own data', () => {
  it("card, points, stamps and coupons are the session member's; another member's ids and codes get nothing", async () => {
    const alice = line.users.create({ displayName: '有栖 愛' });
    const bob = line.users.create({ displayName: '房 武' });
    const aliceToken = await memberToken(alice.userId);
    const bobToken = await memberToken(bob.userId);
    const customerOf = async (userId: string) =>
      (
        await sql<{
          customer_id: number;
        }>`select customer_id from customer_identity where workspace_id = ${ws} and value = ${userId}`.execute(
          t.database.db,
        )
      ).rows[0]!.customer_id;
    const [a, b] = [await customerOf(alice.userId), await customerOf(bob.userId)];
    const adjust = (c: number, points: number) =>
      staff('POST', `/v1/loyalty/members/${c}/adjustments`, { points, reason: '来店特典', staff: '佐藤' });
    for (let i = 0; i < 3; i++) expect((await adjust(a, 10 + i)).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await adjust(b, 500 + i)).statusCode).toBe(200);
    const template = (
      await staff('POST', '/v1/loyalty/coupon-templates', {
        name: '500円引き',
        kind: 'amount_off',
        value: 500,
      })
    ).json();
    const grant = async (c: number) =>
      (await staff('POST', `/v1/loyalty/coupon-templates/${template.id}/grants`, { customerId: c })).json()
        .code as string;
    const aliceCoupon = await grant(a);
    const bobCoupon = await grant(b);
    const card = await createStampCardTemplate(t.database.db, ws, {
      name: 'コーヒースタンプ',
      stampsRequired: 10,
      rewards: [{ at: 10, couponTemplateId: template.id }],
    });
    await addStamps(t.database.db, ws, {
      templateId: card.id,
      customerId: b,
      stamps: 7,
      source: 'test',
      actor: 'test',
    });
    await addStamps(t.database.db, ws, {
      templateId: card.id,
      customerId: a,
      stamps: 2,
      source: 'test',
      actor: 'test',
    });

    const aliceCard = (await asMember(aliceToken, 'GET', '/v1/liff/me/card')).json();
    const bobCard = (await asMember(bobToken, 'GET', '/v1/liff/me/card')).json();
    expect(aliceCard.memberNo).not.toBe(bobCard.memberNo);
    expect(aliceCard).toMatchObject({ points: 33 });
    expect(bobCard).toMatchObject({ points: 1001 });

    const points = (await asMember(aliceToken, 'GET', '/v1/liff/me/points?limit=2')).json();
    expect(points.balance).toBe(33);
    expect(points.history.map((e: { points: number }) => e.points)).toEqual([12, 11]);
    const next = (
      await asMember(aliceToken, 'GET', `/v1/liff/me/points?limit=2&before=${points.nextBefore}`)
    ).json();
    expect(next.history.map((e: { points: number }) => e.points)).toEqual([10]);
    expect(next.nextBefore).toBeNull();
    // A cursor past Bob's entries still reads Alice's ledger only.
    const bobEntry = (await asMember(bobToken, 'GET', '/v1/liff/me/points')).json().history[0].id;
    const probe = (await asMember(aliceToken, 'GET', `/v1/liff/me/points?before=${bobEntry + 1}`)).json();
    expect(probe.history.map((e: { points: number }) => e.points)).toEqual([12, 11, 10]);

    expect((await asMember(aliceToken, 'GET', '/v1/liff/me/stamp-cards')).json().items).toEqual([
      { templateId: card.id, name: 'コーヒースタンプ', stamps: 2, required: 10, rewards: [{ at: 10 }] },
    ]);
    const coupons = (await asMember(aliceToken, 'GET', '/v1/liff/me/coupons')).json().items;
    expect(coupons.map((c: { code: string }) => c.code)).toEqual([aliceCoupon]);
    expect((await asMember(aliceToken, 'GET', `/v1/liff/me/coupons/${aliceCoupon}`)).json()).toMatchObject({
      code: aliceCoupon,
      qr: aliceCoupon,
      state: 'usable',
      name: '500円引き',
    });
    // Bob's coupon code answers exactly as a code that does not exist.
    const bobs = await asMember(aliceToken, 'GET', `/v1/liff/me/coupons/${bobCoupon}`);
    const none = await asMember(aliceToken, 'GET', '/v1/liff/me/coupons/ZZZZ-ZZZZ-ZZZZ');
    expect(bobs.statusCode).toBe(404);
    expect(bobs.json().error.message).toBe(none.json().error.message);
    expect(bobs.body).not.toContain(bobCoupon);
    // No member route takes a customer id: naming Bob is refused, never honoured.
    for (const route of MEMBER_ROUTES.filter((r) => r.method === 'GET')) {
      const res = await asMember(aliceToken, 'GET', `${route.url}?customerId=${b}`);
      expect(res.statusCode, route.url).toBe(400);
    }
    const withId = await asMember(aliceToken, 'PUT', '/v1/liff/me/profile', { answers: {}, customerId: b });
    expect(withId.statusCode).toBe(400);

    // Used and expired coupons move out of "usable".
    const redeemed = await staff('POST', `/v1/loyalty/coupons/${aliceCoupon}/redeem`, {
      idempotencyKey: 'r-1',
    });
    expect(redeemed.statusCode, redeemed.body).toBe(200);
    const used = (await asMember(aliceToken, 'GET', '/v1/liff/me/coupons?state=used')).json().items;
    expect(used).toMatchObject([{ code: aliceCoupon, state: 'used' }]);
    expect((await asMember(aliceToken, 'GET', '/v1/liff/me/coupons?state=usable')).json().items).toEqual([]);
  });
});

describe('the till and the card from /v1/liff/me/card', () => {
  it('accepts the QR, and refuses the same QR once it has expired (simulated clock)', async () => {
    const user = line.users.create({ displayName: '時計 進' });
    const token = await memberToken(user.userId);
    const card = (await asMember(token, 'GET', '/v1/liff/me/card')).json();
    expect(Date.parse(card.qr.expiresAt) - Date.parse(card.qr.issuedAt)).toBe(300_000);
    expect(Date.parse(card.qr.refreshAfter)).toBeLessThan(Date.parse(card.qr.expiresAt));
    const scan = (qr: string) => staff('POST', '/v1/loyalty/till/scan', { qr });
    const accepted = await scan(card.qr.payload);
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().memberNo).toBe(card.memberNo);
    await time.advanceBy(301_000);
    const old = await scan(card.qr.payload);
    expect(old.statusCode).toBe(400);
    expect(old.json().error.message).toMatch(/expired 1 s ago/);
    // The session is still live (30 minutes); the refreshed card scans again.
    const fresh = (await asMember(token, 'GET', '/v1/liff/me/card')).json();
    expect(fresh.qr.payload).not.toBe(card.qr.payload);
    expect((await scan(fresh.qr.payload)).statusCode).toBe(200);
  });
});

describe('the first-open survey', () => {
  it('is configured per workspace, round-trips, and lands on the customer and its consent', async () => {
    await upsertStore(t.database.db, ws, { code: 'SBY', name: '渋谷店' });
    await upsertStore(t.database.db, ws, { code: 'UMD', name: '梅田店' });
    const defaults = (await staff('GET', '/v1/liff/survey')).json();
    expect(defaults.questions.map((q: { kind: string }) => q.kind)).toEqual([
      'age_band',
      'gender',
      'favorite_store',
    ]);
    const questions = [
      { key: 'age_band', kind: 'age_band', labelJa: '年代', required: true },
      { key: 'gender', kind: 'gender', labelJa: '性別' },
      { key: 'favorite_store', kind: 'favorite_store', labelJa: 'よく行く店舗' },
      {
        key: 'interests',
        kind: 'interests',
        labelJa: '興味のあること',
        options: [
          { value: 'coffee', labelJa: 'コーヒー', labelEn: 'Coffee' },
          { value: 'sweets', labelJa: 'スイーツ', labelEn: 'Sweets' },
          { value: 'tea', labelJa: '紅茶' },
        ],
      },
      {
        key: 'visit_frequency',
        kind: 'single_choice',
        labelJa: 'ご来店の頻度',
        labelEn: 'How often do you visit?',
        options: [
          { value: 'weekly', labelJa: '週1回以上' },
          { value: 'monthly', labelJa: '月1回程度' },
        ],
      },
      { key: 'request', kind: 'text', labelJa: 'ご要望' },
    ];
    const bad = await staff('PUT', '/v1/liff/survey', {
      questions: [
        ...questions,
        { key: 'request', kind: 'text', labelJa: '重複' },
        { key: 'x', kind: 'multi_choice', labelJa: '空' },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.problems.map((p: { path: string }) => p.path)).toEqual([
      'questions[6].key',
      'questions[7].options',
    ]);
    expect((await staff('PUT', '/v1/liff/survey', { questions })).statusCode).toBe(200);

    const user = line.users.create({ displayName: '回答 者' });
    const token = await memberToken(user.userId);
    const profile = (await asMember(token, 'GET', '/v1/liff/me/profile')).json();
    expect(profile.answeredAt).toBeNull();
    expect(profile.answers).toEqual({
      age_band: null,
      gender: null,
      favorite_store: null,
      interests: [],
      visit_frequency: null,
      request: null,
    });
    const stores = profile.questions.find((q: { key: string }) => q.key === 'favorite_store').options;
    expect(stores).toEqual([
      { value: 'SBY', labelJa: '渋谷店' },
      { value: 'UMD', labelJa: '梅田店' },
    ]);
    expect(profile.questions[0].options[1]).toEqual({ value: '20s', labelJa: '20代', labelEn: '20s' });

    const wrong = await asMember(token, 'PUT', '/v1/liff/me/profile', {
      answers: { gender: 'robot', interests: ['coffee', 'golf'], unknown: 'x' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.problems.map((p: { path: string }) => p.path)).toEqual([
      'answers.unknown',
      'answers.age_band',
      'answers.gender',
      'answers.interests[1]',
    ]);

    const answers = {
      age_band: '30s',
      gender: 'female',
      favorite_store: 'UMD',
      interests: ['coffee', 'sweets'],
      visit_frequency: 'weekly',
      request: '静かな席を増やしてください',
    };
    const saved = await asMember(token, 'PUT', '/v1/liff/me/profile', { answers, marketingConsent: true });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({
      answers,
      marketingConsent: 'granted',
      answeredAt: time.clock.now().toISOString(),
    });
    expect((await asMember(token, 'GET', '/v1/liff/me/profile')).json().answers).toEqual(answers);

    // It is on the customer, as staff see it.
    const { rows } = await sql<{
      customer_id: number;
    }>`select customer_id from customer_identity where workspace_id = ${ws} and value = ${user.userId}`.execute(
      t.database.db,
    );
    const customer = (await staff('GET', `/v1/customers/${rows[0]!.customer_id}`)).json();
    const umeda = (
      await sql<{ id: number }>`select id from store where workspace_id = ${ws} and code = 'UMD'`.execute(
        t.database.db,
      )
    ).rows[0]!.id;
    expect(customer).toMatchObject({
      gender: 'female',
      favoriteStoreId: Number(umeda),
      interests: ['coffee', 'sweets'],
      attributes: { age_band: '30s', visit_frequency: 'weekly', request: '静かな席を増やしてください' },
    });
    expect(customer.consents).toContainEqual(
      expect.objectContaining({
        channel: 'line',
        purpose: 'marketing',
        status: 'granted',
        source: 'liff_survey',
      }),
    );
    // The next open is not a first open; an edit clears an optional answer and revokes consent.
    expect((await session(line.login.mintIdToken(user.userId))).json().firstOpen).toBe(false);
    const edited = await asMember(token, 'PUT', '/v1/liff/me/profile', {
      answers: { age_band: '40s', request: null },
      marketingConsent: false,
    });
    expect(edited.json()).toMatchObject({
      answers: { ...answers, age_band: '40s', request: null },
      marketingConsent: 'revoked',
    });
    // Every question sent, unanswered ones as null (what the app sends): gender and store clear.
    const cleared = await asMember(token, 'PUT', '/v1/liff/me/profile', {
      answers: { ...Object.fromEntries(Object.keys(answers).map((key) => [key, null])), age_band: '40s' },
    });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json().answers).toMatchObject({ gender: null, favorite_store: null, interests: [] });
  });
});

describe('customer merges', () => {
  it("a merged member's session reads the survivor, and a survey answered by either counts for the survivor", async () => {
    const carol = line.users.create({ displayName: '古株 花' });
    const dave = line.users.create({ displayName: '新顔 大' });
    const carolToken = await memberToken(carol.userId);
    const daveToken = await memberToken(dave.userId);
    const saved = await asMember(daveToken, 'PUT', '/v1/liff/me/profile', { answers: { age_band: '20s' } });
    expect(saved.statusCode, saved.body).toBe(200);
    const idOf = async (userId: string) =>
      (
        await sql<{
          customer_id: number;
        }>`select customer_id from customer_identity where workspace_id = ${ws} and value = ${userId}`.execute(
          t.database.db,
        )
      ).rows[0]!.customer_id;
    const [c, d] = [Number(await idOf(carol.userId)), Number(await idOf(dave.userId))];
    const carolCard = (await asMember(carolToken, 'GET', '/v1/liff/me/card')).json();
    const merged = await transact(t.database.db, (tx) =>
      mergeCustomers(tx, ws, [c, d], { identities: [], source: 'test' }),
    );
    expect(merged).toMatchObject({ survivorId: c, mergedIds: [d] });
    // Dave's live session now reads the survivor's card; his answer counts for the survivor.
    expect((await asMember(daveToken, 'GET', '/v1/liff/me/card')).json().memberNo).toBe(carolCard.memberNo);
    const { rows } = await sql<{ customer_id: number }>`
      select customer_id from liff_survey_response where workspace_id = ${ws} and customer_id in (${c}, ${d})`.execute(
      t.database.db,
    );
    expect(rows.map((r) => Number(r.customer_id))).toEqual([c]);
    expect((await session(line.login.mintIdToken(carol.userId))).json().firstOpen).toBe(false);
  });
});

describe('LIFF app settings', () => {
  it('never return the login channel secret, keep it sealed, and refuse a LIFF id another channel holds', async () => {
    const list = await staff('GET', '/v1/liff/apps');
    expect(list.json().items).toEqual([
      expect.objectContaining({
        channelId,
        liffId: LIFF_ID,
        loginChannelId: line.login.channelId,
        loginChannelSecretSet: true,
        liffUrl: `https://liff.line.me/${LIFF_ID}`,
      }),
    ]);
    expect(list.body).not.toContain('login-secret-abcdef');
    const { rows } = await sql<{
      s: string;
    }>`select login_channel_secret_sealed as s from liff_app where workspace_id = ${ws}`.execute(
      t.database.db,
    );
    expect(rows[0]!.s).not.toContain('login-secret-abcdef');
    expect(t.secrets.open(rows[0]!.s)).toBe('login-secret-abcdef');

    const other = await newWorkspace(t.database, '別の店');
    const otherAuth = { authorization: `Bearer ${other.apiKey}` };
    const otherChannel = await t.app.inject({
      method: 'PUT',
      url: '/v1/line/channels/1650000002',
      headers: otherAuth,
      payload: { channelSecret: 's2', accessToken: 't2', apiBaseUrl: line.url },
    });
    const taken = await t.app.inject({
      method: 'PUT',
      url: `/v1/liff/apps/${otherChannel.json().id}`,
      headers: otherAuth,
      payload: { liffId: LIFF_ID, loginChannelId: '2000000009', loginChannelSecret: 'x' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.problems[0].path).toBe('liffId');
    // Another workspace's channel is not found.
    const foreign = await t.app.inject({
      method: 'PUT',
      url: `/v1/liff/apps/${channelId}`,
      headers: otherAuth,
      payload: { liffId: '2000000001-Zzzzzzzz', loginChannelId: '2000000009', loginChannelSecret: 'x' },
    });
    expect(foreign.statusCode).toBe(404);
  });
});
