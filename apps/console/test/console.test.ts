// The console in a real browser against the real server: sign in, switch brands, read the
// dashboard, find a customer by kana and open their karte, list segments; in Japanese, then once
// in English; axe-core over every page; screenshots at 1280×800 for people to look at.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser, screenshot, seriousViolations } from './browser.ts';
import { type Seeded, startSeededKizuna } from './seed.ts';

let kizuna: Seeded;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  kizuna = await startSeededKizuna();
  browser = await launchBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await kizuna?.t.close();
});

/** axe over the page as it is now, and a screenshot of it. */
async function check(name: string) {
  // Let charts and fonts settle before the picture; axe runs on what is in the DOM either way.
  await page.waitForLoadState('networkidle');
  await screenshot(page, name);
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

function statistic(title: string) {
  return page.locator('.ant-statistic').filter({ hasText: title }).locator('.ant-statistic-content-value');
}

async function chooseWorkspace(name: string) {
  await page.getByRole('combobox', { name: /ワークスペース|Workspace/ }).click();
  await page.locator('.ant-select-item-option').filter({ hasText: name }).click();
  await page.locator('.ant-select-dropdown').waitFor({ state: 'hidden' });
}

describe('the console in Japanese', () => {
  it('signs in with the session cookie and CSRF token', async () => {
    await page.goto(kizuna.url);
    await page.getByRole('heading', { name: 'Kizuna にログイン' }).waitFor();
    await check('01-login');
    await page.getByLabel('メールアドレス').fill(kizuna.email);
    await page.getByLabel('パスワード').fill(kizuna.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByRole('heading', { name: 'ダッシュボード' }).waitFor();
  });

  it('switches workspace: the figures, the role and the buttons follow the brand', async () => {
    await chooseWorkspace(kizuna.bakery.name);
    await expect.poll(() => statistic('顧客数').textContent()).toBe(String(kizuna.bakery.customers));
    await expect.poll(() => page.locator('.ant-tag').filter({ hasText: 'マーケター' }).count()).toBe(1);
    // A marketer cannot rebuild the analytics (admin scope): the button is not offered.
    expect(await page.getByRole('button', { name: '集計を更新' }).count()).toBe(0);
    await chooseWorkspace(kizuna.cafe.name);
    await expect.poll(() => statistic('顧客数').textContent()).toBe(String(kizuna.cafe.customers));
    await page.getByRole('button', { name: '集計を更新' }).waitFor();
    expect(await page.locator('.ant-tag').filter({ hasText: 'オーナー' }).count()).toBe(1);
  });

  it("pages through a brand's customers with the API's cursors", async () => {
    await chooseWorkspace(kizuna.bakery.name);
    await page.getByRole('link', { name: '顧客', exact: true }).click();
    const rows = page.locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(50);
    await page.getByRole('button', { name: '次へ' }).click();
    await expect.poll(() => rows.count()).toBe(kizuna.bakery.customers - 50);
    await page.getByText('2ページ目').waitFor();
    expect(await page.getByRole('button', { name: '次へ' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '前へ' }).click();
    await expect.poll(() => rows.count()).toBe(50);
    await chooseWorkspace(kizuna.cafe.name);
    await page.getByRole('link', { name: 'ダッシュボード' }).click();
  });

  it('opened from the address bar, a page asks for its data once, in the remembered workspace', async () => {
    // The first load asks for the session and the page's data before React has loaded
    // (app/first-load.ts); the queries must take those answers, not send the calls again, and
    // an agency user's calls must carry the brand chosen last time.
    await chooseWorkspace(kizuna.bakery.name);
    const sent: { path: string; workspace: string | undefined }[] = [];
    const record = (request: import('playwright-core').Request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/v1/'))
        sent.push({ path: url.pathname + url.search, workspace: request.headers()['x-kizuna-workspace'] });
    };
    page.on('request', record);
    try {
      await page.goto(`${kizuna.url}/customers`);
      await expect.poll(() => page.locator('tbody tr.ant-table-row').count()).toBe(50);
      await page.goto(kizuna.url);
      await expect.poll(() => statistic('顧客数').textContent()).toBe(String(kizuna.bakery.customers));
      await page.locator('canvas').first().waitFor();
    } finally {
      page.off('request', record);
    }
    const count = (path: string) => sent.filter((s) => s.path === path).length;
    expect(count('/v1/auth/session'), JSON.stringify(sent)).toBe(2);
    expect(count('/v1/customers?limit=50'), JSON.stringify(sent)).toBe(1);
    expect(count('/v1/analytics/overview'), JSON.stringify(sent)).toBe(1);
    expect(count('/v1/analytics/retention'), JSON.stringify(sent)).toBe(1);
    const data = sent.filter((s) => s.path !== '/v1/auth/session');
    expect(data.map((s) => s.workspace)).toEqual(data.map(() => kizuna.bakery.workspaceId));
    await chooseWorkspace(kizuna.cafe.name);
  });

  it('shows the dashboard: repeat rate, LTV in yen, the forecast, retention and RFM', async () => {
    // 4 of the 8 customers bought three times.
    expect(await statistic('リピート率').textContent()).toBe('50%');
    expect(await statistic('平均LTV（実績）').textContent()).toMatch(/^￥[\d,]+$/);
    await page.getByText('コホート別継続率').waitFor();
    await page.getByRole('img', { name: /RFM|最終購入/ }).waitFor();
    await check('02-dashboard');
  });

  it('finds a customer by kana written in hiragana and opens their karte', async () => {
    await page.getByRole('link', { name: '顧客' }).click();
    await page.getByRole('heading', { name: '顧客' }).waitFor();
    await page.getByRole('searchbox', { name: '顧客を検索' }).fill('やまだ');
    await page.getByRole('searchbox', { name: '顧客を検索' }).press('Enter');
    // The previous page stays on screen until the search answers: wait for the one match.
    await expect.poll(() => page.locator('tbody tr.ant-table-row').count()).toBe(1);
    await page.getByRole('link', { name: '山田 花子' }).waitFor();
    await check('03-customers');
    await page.getByRole('link', { name: '山田 花子' }).click();
    await page.getByRole('heading', { name: /山田 花子/ }).waitFor();
    await page.getByText('ヤマダ ハナコ').waitFor();
    await page.getByText('累計LTV').waitFor();
    // Three orders, each listed in the history with its yen amount.
    await expect.poll(() => page.locator('.ant-timeline-item').count()).toBeGreaterThanOrEqual(3);
    await check('04-karte');
  });

  it('lists segments with their sizes', async () => {
    await page.getByRole('link', { name: 'セグメント' }).click();
    const row = page.locator('tr.ant-table-row').filter({ hasText: 'リピーター' });
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('4');
    await check('05-segments');
  });

  it('shows the loyalty programme: earn rate, coupons with their benefit, stamp cards', async () => {
    await page.getByRole('link', { name: 'ポイント・クーポン' }).click();
    await page.getByText('100円ごとに1ポイント').waitFor();
    const coupon = page.locator('tr.ant-table-row').filter({ hasText: '次回使える200円引き' });
    expect(await coupon.textContent()).toContain('￥200引き（￥1,000以上のお会計で利用可）');
    await page.locator('tr.ant-table-row').filter({ hasText: 'コーヒースタンプカード' }).waitFor();
    await check('06-loyalty');
  });
});

describe('the console in English', () => {
  it('switches language and shows the same pages in English', async () => {
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await statistic('Customers').textContent()).toBe(String(kizuna.cafe.customers));
    await check('07-dashboard-en');
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('searchbox', { name: 'Search customers' }).fill('ヤマダ');
    await page.getByRole('searchbox', { name: 'Search customers' }).press('Enter');
    await page.getByRole('link', { name: '山田 花子' }).click();
    await page.getByText('LTV to date').waitFor();
    await check('08-karte-en');
  });

  it('goes back to the login page when the session ends under it, and signs in again', async () => {
    await browser.context.clearCookies();
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await page.getByRole('searchbox', { name: 'Search customers' }).fill('サトウ');
    await page.getByRole('searchbox', { name: 'Search customers' }).press('Enter');
    await page.getByRole('heading', { name: 'Log in to Kizuna' }).waitFor();
    await page.getByLabel('Email').fill(kizuna.email);
    await page.getByLabel('Password').fill(kizuna.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: '佐藤 健太' }).waitFor();
  });

  it('logs out back to the login page, and the page logged no error', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to Kizuna' }).waitFor();
    // The first session check answers 401 before login, which Chromium logs as a failed load.
    expect(browser.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  });
});
