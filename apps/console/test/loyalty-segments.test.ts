// The segment builder, loyalty editing and the till in a real browser against the real server, in
// Japanese: build a segment and watch its live count change, save it; create a coupon template
// with its LINE preview; at the till (a 768 px tablet) scan member QRs obtained through the API,
// earn points on a bill, stamp, use a coupon, see the balance; refuse an expired QR in Japanese.
// axe-core on every page, screenshots for people to look at.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCardPayload } from '../../server/src/loyalty/member-card.ts';
import { type Browser, launchBrowser, screenshot, seriousViolations } from './browser.ts';
import { type Seeded, startSeededKizuna } from './seed.ts';

let kizuna: Seeded;
let browser: Browser;
let page: Page;
let yamada: number;

async function api(method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await kizuna.t.app.inject({
    method,
    url,
    headers: kizuna.t.auth,
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

beforeAll(async () => {
  kizuna = await startSeededKizuna();
  // 山田 花子 holds the cafe's seeded coupon, so the till has one to redeem.
  const found = await api('GET', `/v1/customers?q=${encodeURIComponent('やまだ')}`);
  yamada = found.items[0].id;
  const templates = await api('GET', '/v1/loyalty/coupon-templates');
  await api('POST', `/v1/loyalty/coupon-templates/${templates.items[0].id}/grants`, { customerId: yamada });
  browser = await launchBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await kizuna?.t.close();
});

async function check(name: string) {
  await page.waitForLoadState('networkidle');
  // No hover state left on the last button pressed: the picture and axe see the page at rest.
  await page.mouse.move(0, 0);
  await screenshot(page, name);
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

const previewCount = () => page.locator('.ant-statistic-content-value').first().textContent();

describe('segments, loyalty editing and the till, in Japanese', () => {
  it('signs in', async () => {
    await page.goto(kizuna.url);
    await page.getByLabel('メールアドレス').fill(kizuna.email);
    await page.getByLabel('パスワード').fill(kizuna.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByRole('heading', { name: 'ダッシュボード' }).waitFor();
  });

  it('builds a segment: the live count follows the rules, and it saves', async () => {
    await page.locator('.ant-menu').getByRole('link', { name: 'セグメント', exact: true }).click();
    await page.getByRole('button', { name: '新しいセグメントを作成' }).click();
    await page.getByRole('heading', { name: '新しいセグメント' }).waitFor();
    await page.getByText('条件を追加すると、該当する人数と顧客の例がここに表示されます。').waitFor();
    await page.getByRole('button', { name: '＋ 条件を追加' }).click();
    await page.getByRole('menuitem', { name: '購入・来店の回数や金額' }).click();
    // Orders, count ≥ 2 by default: the four cafe customers with three orders each.
    await expect.poll(previewCount).toBe('4 人');
    await page.getByRole('spinbutton', { name: '値' }).fill('1');
    await expect.poll(previewCount).toBe(`${kizuna.cafe.customers} 人`);
    // Excluding it (NOT) leaves nobody, and the preview says what to try.
    await page.getByRole('switch', { name: '除外（NOT）' }).click();
    await expect.poll(previewCount).toBe('0 人');
    await page.getByText('該当する顧客はいません。').waitFor();
    await page.getByRole('switch', { name: '除外（NOT）' }).click();
    await page.getByRole('spinbutton', { name: '値' }).fill('3');
    await expect.poll(previewCount).toBe('4 人');
    await page.getByLabel('名前', { exact: true }).fill('3回以上購入');
    await check('20-segment-builder');
    await page.getByRole('button', { name: '保存する' }).click();
    await page.getByText('「3回以上購入」を保存しました（4 人）').waitFor();
    await page.getByRole('heading', { name: 'セグメントを編集' }).waitFor();
    // Made today: its size history is one day long so far, and says when the trend starts.
    await page.getByText('現在 4 人。推移は作成の翌日から表示されます。').waitFor();
    const saved = await api('GET', '/v1/segments');
    const segment = saved.items.find((s: { name: string }) => s.name === '3回以上購入');
    expect(segment).toMatchObject({
      memberCount: 4,
      definition: { aggregate: { of: 'orders', measure: 'count' }, op: 'gte', value: 3 },
    });
  });

  it('starts a segment from a built-in template', async () => {
    await page.goto(`${kizuna.url}/segments/new`);
    await page.getByRole('combobox', { name: 'テンプレートから始める' }).click();
    await page.locator('.ant-select-item-option').filter({ hasText: '常連' }).first().click();
    await expect.poll(() => page.getByLabel('名前', { exact: true }).inputValue()).toContain('常連');
    await expect.poll(previewCount).toMatch(/^\d+ 人$/);
  });

  it('creates a coupon template, with its LINE message previewed as it is typed', async () => {
    await page.getByRole('link', { name: 'ポイント・クーポン' }).click();
    await page.getByRole('button', { name: 'クーポンを作成' }).click();
    await page.getByRole('heading', { name: '新しいクーポン' }).waitFor();
    await page.getByLabel('クーポン名').fill('雨の日500円引き');
    await page.getByLabel('値引き額（円）').fill('500');
    await page.getByLabel('利用できる最低お会計（円、0 で条件なし）').fill('3000');
    await expect.poll(() => page.getByTestId('coupon-headline').textContent()).toBe('¥500 OFF');
    await page.getByText('¥3,000以上のお買い上げで利用可').waitFor();
    await check('21-coupon-editor');
    await page.getByRole('button', { name: '作成する' }).click();
    await page.getByText('クーポン「雨の日500円引き」を作成しました').waitFor();
    await page.getByRole('cell', { name: '雨の日500円引き', exact: true }).waitFor();
    const templates = await api('GET', '/v1/loyalty/coupon-templates');
    expect(templates.items.find((c: { name: string }) => c.name === '雨の日500円引き')).toMatchObject({
      kind: 'amount_off',
      value: 500,
      minSpend: 3000,
      validDays: 30,
    });
    await check('22-loyalty-with-editing');
  });

  it('at the till on a tablet: scans, earns on the bill, stamps, uses a coupon, sees the balance', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.goto(`${kizuna.url}/loyalty/till`);
    await page.getByRole('heading', { name: 'レジ（会員証の読み取り）' }).waitFor();
    // A card shown ten minutes ago has expired: the till says so in Japanese.
    const old = await issueCardPayload(
      kizuna.t.database.db,
      kizuna.cafe.workspaceId,
      yamada,
      kizuna.t.secrets,
      new Date(Date.now() - 10 * 60_000),
    );
    await page.getByLabel('会員証の QR コード').fill(old.payload);
    await page.keyboard.press('Enter');
    await page.getByText('会員証の QR コードの有効期限が切れています').waitFor();
    await check('23-till-expired');

    const card = await api('POST', `/v1/loyalty/members/${yamada}/card`);
    await page.getByLabel('会員証の QR コード').fill(card.payload);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '山田 花子' }).waitFor();
    await page.getByText('ヤマダ ハナコ').waitFor();
    expect(await page.getByTestId('till-points').textContent()).toBe('0 pt');

    await page.getByLabel('お会計金額（円）').fill('3000');
    await page.getByRole('button', { name: 'ポイントを付与' }).click();
    await page.getByText('30 pt を付与しました（残高 30 pt）').waitFor();
    await expect.poll(() => page.getByTestId('till-points').textContent()).toBe('30 pt');

    await page.getByRole('button', { name: 'コーヒースタンプカード にスタンプを押す' }).click();
    await page.getByText('スタンプを 1 個押しました（1 / 10）').waitFor();

    await page.getByRole('button', { name: '使う: 次回使える200円引き' }).click();
    await page.getByText('「次回使える200円引き」を使用しました（￥200 引き）').waitFor();
    await page.getByText('使えるクーポンはありません').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await check('24-till-tablet');
    const member = await api('GET', `/v1/loyalty/members/${yamada}`);
    expect(member).toMatchObject({ points: 30, coupons: [] });
    expect(member.stamps).toEqual([expect.objectContaining({ stamps: 1, required: 10 })]);
  });

  it("adjusts a member's points by hand, with the reason, and shows it in the history", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('link', { name: 'ポイント履歴と手動調整' }).click();
    await page.getByRole('heading', { name: '会員のポイント' }).waitFor();
    await page.getByLabel('調整ポイント（減らすときはマイナス）').fill('120');
    await page.getByLabel('理由').fill('レジ障害分の補填');
    await page.getByLabel('担当者').fill('佐藤');
    await page.getByRole('button', { name: '調整する' }).click();
    await page.getByText('120 pt を調整しました（残高 150 pt）').waitFor();
    await expect.poll(() => page.getByTestId('member-points').textContent()).toBe('150 pt');
    await page.getByRole('cell', { name: 'レジ障害分の補填（佐藤）' }).waitFor();
    await check('25-member-points');
    // The 401 of the session probe before sign-in and the 400 of the expired QR are expected
    // answers; anything else the page logged or threw is a defect.
    expect(browser.errors.filter((e) => !e.startsWith('Failed to load resource'))).toEqual([]);
  });
});
