// The LIFF member app in a real browser at a phone's size, against the real server and the LINE
// sandbox's LINE Login: the ID token the sandbox mints goes in through @line/liff-mock, the app
// opens a member session, shows the card with a QR, the till scans the payload read from the
// page and records a sale, and the points the member sees follow; then points and coupons.
import type { LineSandbox } from '@kizuna/line-sandbox';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, seriousViolations } from '../../console/test/browser.ts';
import type { TestApp } from '../../server/test/helpers.ts';
import { type LiffServer, startLiffServer } from './liff-server.ts';
import { launchPhone, screenshot } from './phone.ts';

const LIFF_ID = '2000000001-LiffApp1';

let t: TestApp;
let line: LineSandbox;
let browser: Browser;
let page: Page;
let url: string;

let server: LiffServer;
const staff = (method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) =>
  server.staff(method, path, payload);

beforeAll(async () => {
  server = await startLiffServer(LIFF_ID, 18);
  ({ t, line, url } = server);
  browser = await launchPhone();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await line?.close();
  await t?.close();
});

/** axe over the page as it is now, and a screenshot of it at 390×844. */
async function check(name: string) {
  await page.waitForLoadState('networkidle');
  await screenshot(page, name);
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

describe('the LIFF member app inside LINE (mocked LIFF SDK, real ID token)', () => {
  let payload: string;
  let customerId: number;

  it('signs in with the ID token and shows the membership card with a QR code', async () => {
    const user = line.users.create({ displayName: '会員 花子' });
    const idToken = line.login.mintIdToken(user.userId);
    // This member answered the first-open survey already (liff-profile.test.ts tests that screen).
    const opened = await t.app.inject({
      method: 'POST',
      url: '/v1/liff/session',
      payload: { liffId: LIFF_ID, idToken },
    });
    const answered = await t.app.inject({
      method: 'PUT',
      url: '/v1/liff/me/profile',
      headers: { authorization: `Bearer ${opened.json().token}` },
      payload: { answers: {} },
    });
    expect(answered.statusCode, answered.body).toBe(200);
    await page.addInitScript((token) => {
      (globalThis as { kizunaLiffMock?: { idToken: string } }).kizunaLiffMock = { idToken: token };
    }, idToken);
    await page.goto(`${url}/liff/${LIFF_ID}`);
    const qr = page.getByRole('img', { name: '会員証のQRコード（レジで読み取ってください）' });
    await qr.waitFor();
    payload = String(await qr.getAttribute('data-payload'));
    expect(payload.length).toBeGreaterThan(20);
    expect(await page.getByTestId('card-points').textContent()).toBe('0 pt');
    await page.getByText('お会計の際にレジでこのQRコードをご提示ください').waitFor();
    await check('01-card');
    expect(browser.errors).toEqual([]);
  });

  it('offline, the card says the code cannot refresh and shows no QR; back online, a fresh one', async () => {
    const qr = page.getByRole('img', { name: '会員証のQRコード（レジで読み取ってください）' });
    await browser.context.setOffline(true);
    // The app fetches a fresh code whenever LINE brings it back to the front.
    const refresh = () => page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await refresh();
    await page
      .getByText('QRコードを更新できません。通信環境をご確認のうえ、再読み込みしてください。')
      .waitFor();
    expect(await qr.count()).toBe(0);
    await screenshot(page, '01b-card-offline');
    await browser.context.setOffline(false);
    await refresh();
    await qr.waitFor();
    payload = String(await qr.getAttribute('data-payload'));
    // The failed fetch logged by the browser is the expected one; nothing else went wrong.
    browser.errors.length = 0;
  });

  it('the till accepts the QR payload read from the page; the points and the stamp of the sale appear', async () => {
    const drink = await staff('POST', '/v1/loyalty/coupon-templates', {
      name: 'ドリンク1杯無料',
      kind: 'free_item',
      value: 0,
      freeItem: 'ドリンク1杯',
    });
    await staff('POST', '/v1/loyalty/stamp-cards', {
      name: 'コーヒースタンプカード',
      stampsRequired: 10,
      rewards: [{ at: 10, couponTemplateId: drink.id }],
    });
    const scan = await staff('POST', '/v1/loyalty/till/scan', { qr: payload });
    expect(scan.memberNo).toBe(await page.getByTestId('member-no').textContent());
    customerId = scan.customerId;
    const sale = await staff('POST', '/v1/loyalty/till/transactions', {
      idempotencyKey: 'liff-browser-1',
      qr: payload,
      orderTotal: 5000,
      earn: true,
      stamp: {},
    });
    expect(sale.earned.points).toBe(50);
    await page.getByRole('button', { name: 'ポイント' }).click();
    await expect.poll(() => page.getByTestId('points-balance').textContent()).toBe('50 pt');
    await page.getByText('獲得').first().waitFor();
    // The ledger's reason in the member's words, not the server's `till sale`.
    await page.getByText('店頭でのお買い物').waitFor();
    const stampCard = page.getByTestId('stamp-card');
    await stampCard.getByRole('heading', { name: 'コーヒースタンプカード' }).waitFor();
    await stampCard.getByRole('img', { name: 'スタンプ 1 / 10 個' }).waitFor();
    await stampCard.getByText('あと 9 個で特典がもらえます').waitFor();
    await check('02-points');
    await page.getByRole('button', { name: '会員証' }).click();
    await expect.poll(() => page.getByTestId('card-points').textContent()).toBe('50 pt');
  });

  it('lists usable coupons and shows one as a code the till can redeem', async () => {
    const template = await staff('POST', '/v1/loyalty/coupon-templates', {
      name: '次回使える200円引き',
      kind: 'amount_off',
      value: 200,
      minSpend: 1000,
    });
    const grant = await staff('POST', `/v1/loyalty/coupon-templates/${template.id}/grants`, { customerId });
    await page.getByRole('button', { name: 'クーポン' }).click();
    await page.getByRole('heading', { name: '次回使える200円引き' }).waitFor();
    await page.getByText('￥1,000以上のお会計で利用可').waitFor();
    await page.getByText('￥200引き', { exact: true }).waitFor();
    await check('03-coupons');
    await page.getByRole('button', { name: '使う' }).click();
    const code = await page.getByTestId('coupon-code').textContent();
    expect(code).toBe(grant.code);
    await page.getByRole('img', { name: `クーポン ${code} のQRコード` }).waitFor();
    await check('04-coupon-code');
    await staff('POST', `/v1/loyalty/coupons/${code}/redeem`, {
      idempotencyKey: 'liff-browser-coupon',
      orderTotal: 1500,
    });
    await page.getByRole('button', { name: '閉じる' }).click();
    await page.getByRole('tab', { name: '使用済み', selected: false }).click();
    // Only the used list says when a coupon was used; the usable list (which has the same heading)
    // may still be on the screen for a moment after the click.
    await page.getByRole('tab', { name: '使用済み', selected: true }).waitFor();
    await page.getByText(/ に使用$/).waitFor();
    await page.getByRole('heading', { name: '次回使える200円引き' }).waitFor();
    expect(await page.getByRole('button', { name: '使う' }).count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });
});
