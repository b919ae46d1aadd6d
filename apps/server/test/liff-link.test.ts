// Account link from the member side (POST /v1/liff/me/link) against the LINE sandbox's LINE
// Login: a LINE member proves a shop account is theirs (member number + the phone's last four
// digits or the email), the two records merge and the survivor keeps the orders and points;
// a wrong proof, an unknown number and another workspace's number get one identical answer, and
// failed attempts are limited per LINE user and per member number.
import { type LineSandbox, startLineSandbox } from '@kizuna/line-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedTime, type SimulatedTime } from '../src/jobs/simulated-time.ts';
import { LINK_FAILURES_PER_MEMBER_NO, LINK_FAILURES_PER_USER } from '../src/liff/member-link-attempts.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import { SANDBOX_HOSTS } from './line-setup.ts';

const LIFF_ID = '2000000001-LinkTest1';
const START = new Date('2027-05-01T10:00:00+09:00');

let t: TestApp;
let line: LineSandbox;
let time: SimulatedTime;

const staff = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, auth = t.auth) => {
  const res = await t.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
};

beforeAll(async () => {
  time = createSimulatedTime(START);
  t = await createTestApp({ lineHosts: SANDBOX_HOSTS, simulatedTime: time });
  line = await startLineSandbox({ seed: 38, clock: () => time.clock.now().getTime() });
  const channel = await staff('PUT', '/v1/line/channels/1650000038', {
    channelSecret: 'secret-0038',
    accessToken: 'token-0038',
    apiBaseUrl: line.url,
  });
  await staff('PUT', `/v1/liff/apps/${channel.id}`, {
    liffId: LIFF_ID,
    loginChannelId: line.login.channelId,
    loginChannelSecret: 'login-secret-0038',
  });
});
afterAll(async () => {
  await line?.close();
  await t?.close();
});

/** A new LINE user opens the LIFF app: a member session for a new customer. */
async function newMember(existing?: string): Promise<{ token: string; userId: string }> {
  const user = existing ? { userId: existing } : line.users.create({ displayName: 'リンク 会員' });
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/liff/session',
    payload: { liffId: LIFF_ID, idToken: line.login.mintIdToken(user.userId) },
  });
  expect(res.statusCode, res.body).toBe(200);
  return { token: res.json().token, userId: user.userId };
}

const link = (token: string, payload: object) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/liff/me/link',
    headers: { authorization: `Bearer ${token}` },
    payload,
  });

/** A shop customer imported with a member number, a phone and an email, with an order and points. */
async function shopCustomer(memberNo: string, phone: string, auth = t.auth) {
  const [made] = (
    await staff(
      'POST',
      '/v1/customers',
      {
        customers: [
          {
            familyName: '既存',
            givenName: '会員',
            phone,
            email: `${memberNo.toLowerCase()}@example.jp`,
            external: [{ namespace: 'member_no', value: memberNo }],
          },
        ],
      },
      auth,
    )
  ).accepted;
  return made.id as number;
}

describe('POST /v1/liff/me/link', () => {
  let shopId: number;
  let memberToken: string;

  it("refuses a wrong proof, an unknown number and another workspace's number with one answer", async () => {
    shopId = await shopCustomer('M-1001', '090-1234-5678');
    await staff('POST', '/v1/orders', {
      orders: [{ id: 'LINK-1', customer: { id: shopId }, orderedAt: START.toISOString(), total: 4800 }],
    });
    await staff('POST', `/v1/loyalty/members/${shopId}/adjustments`, {
      points: 320,
      reason: '旧会員カードからの移行',
      staff: 'テスト',
    });
    const other = await newWorkspace(t.database, '別の店');
    await shopCustomer('M-2002', '090-2222-3333', { authorization: `Bearer ${other.apiKey}` });
    memberToken = (await newMember()).token;

    const wrong = await link(memberToken, { memberNo: 'M-1001', phoneLast4: '0000' });
    const unknown = await link(memberToken, { memberNo: 'M-9999', phoneLast4: '5678' });
    const elsewhere = await link(memberToken, { memberNo: 'M-2002', phoneLast4: '3333' });
    const wrongEmail = await link(memberToken, { memberNo: 'M-1001', email: 'someone@example.jp' });
    for (const res of [wrong, unknown, elsewhere, wrongEmail]) {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toEqual(wrong.json());
    }
    expect(wrong.json().error.reason).toBe('link_not_matched');
    expect(wrong.json().error.message).toMatch(/^memberNo: /);
  });

  it('names a malformed proof (shape only, which reveals nothing)', async () => {
    const short = await link(memberToken, { memberNo: 'M-1001', phoneLast4: '12a4' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.message).toMatch(/^phoneLast4: /);
    const both = await link(memberToken, { memberNo: 'M-1001' });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.message).toMatch(/phoneLast4: give either phoneLast4 or email/);
  });

  it('with the right proof merges the records: the shop account survives with its orders and points', async () => {
    const res = await link(memberToken, { memberNo: 'Ｍ-1001', phoneLast4: '５６７８' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ status: 'linked' });
    // The session follows the merge: the card is the shop account's, with its points.
    const card = await t.app.inject({
      method: 'GET',
      url: '/v1/liff/me/card',
      headers: { authorization: `Bearer ${memberToken}` },
    });
    expect(card.statusCode, card.body).toBe(200);
    expect(card.json().points).toBe(320);
    const merged = await t.database.db
      .selectFrom('customer')
      .select(['id', 'merged_into_id'])
      .where('workspace_id', '=', t.workspace.workspaceId)
      .where('merged_into_id', '=', shopId)
      .execute();
    expect(merged).toHaveLength(1);
    const orders = await staff('GET', `/v1/orders?customerId=${shopId}`);
    expect(orders.items.map((o: { externalId: string }) => o.externalId)).toEqual(['LINK-1']);
    const again = await link(memberToken, { memberNo: 'M-1001', email: 'M-1001@example.jp' });
    expect(again.json()).toEqual({ status: 'already_linked' });
  });

  it('refuses a shop account already linked to another LINE account', async () => {
    const someoneElse = await newMember();
    const res = await link(someoneElse.token, { memberNo: 'M-1001', phoneLast4: '5678' });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error.reason).toBe('linked_to_other_line');
  });

  it(`limits a LINE user to ${LINK_FAILURES_PER_USER} failures a day, then lets them try again`, async () => {
    await shopCustomer('M-3003', '080-3333-4444');
    const { token, userId } = await newMember();
    for (let i = 0; i < LINK_FAILURES_PER_USER; i++)
      expect((await link(token, { memberNo: `X-${i}`, phoneLast4: '1111' })).statusCode).toBe(400);
    const blocked = await link(token, { memberNo: 'M-3003', phoneLast4: '4444' });
    expect(blocked.statusCode, blocked.body).toBe(429);
    expect(blocked.json().error.reason).toBe('link_attempts_exceeded');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    await time.advanceBy(24 * 60 * 60 * 1000);
    // A day later the session has long expired: the app signs in again with a fresh ID token.
    const later = await link((await newMember(userId)).token, { memberNo: 'M-3003', phoneLast4: '4444' });
    expect(later.statusCode, later.body).toBe(200);
  });

  it(`limits a member number to ${LINK_FAILURES_PER_MEMBER_NO} failures a day, existing or not`, async () => {
    await shopCustomer('M-4004', '070-4444-5555');
    for (const memberNo of ['M-4004', 'M-NONE']) {
      for (let i = 0; i < LINK_FAILURES_PER_MEMBER_NO; i += 2) {
        const { token } = await newMember();
        for (const guess of ['0001', '0002'])
          expect((await link(token, { memberNo, phoneLast4: guess })).statusCode).toBe(400);
      }
      const { token } = await newMember();
      const res = await link(token, { memberNo, phoneLast4: '5555' });
      expect(res.statusCode, res.body).toBe(429);
      expect(res.json().error.reason).toBe('link_attempts_exceeded');
    }
  });
});
