// Journeys and campaigns in a real browser against the real server, its job worker and the LINE
// sandbox: create a journey from a template, edit a step's message, publish it and see it live in
// the list; preview it for one customer; a branching journey's flow chart; a campaign's results
// with its lift over the holdout; a new campaign's cost estimate before sending; the send policy.
// In Japanese, with one check in English; axe on every page; screenshots journeys-*.png.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_JOBS } from '../../server/src/campaigns/campaign-jobs.ts';
import { LINE_JOBS } from '../../server/src/line/line-jobs.ts';
import { addOrder } from '../../server/test/campaigns-fixture.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from '../../server/test/line-setup.ts';
import { type Browser, launchBrowser, screenshot, seriousViolations } from './browser.ts';

let bed: LineTestBed;
let browser: Browser;
let page: Page;
let ws: string;
let friends: number[];
let resultsCampaignId: number;

const jobs = [...LINE_JOBS, ...CAMPAIGN_JOBS.map(({ schedule: _, ...job }) => job)];

async function api<T>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<T> {
  const res = await bed.app.inject({ method, url, headers: bed.auth, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

/** Polls until the check passes (conditions, never fixed sleeps). */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not met in time');
}

interface CampaignView {
  id: number;
  status: string;
  sentAt: string | null;
}

/**
 * A sent campaign with a holdout, and orders after it from more of the messaged customers than
 * of the held-out ones, so its results have a positive lift to show.
 */
async function sentCampaignWithOrders(): Promise<number> {
  const campaign = await api<CampaignView>('POST', '/v1/campaigns', {
    name: '冬のご来店感謝クーポン',
    channelId: bed.channelId,
    audience: { customerIds: friends },
    holdoutPercent: 50,
    variants: [
      {
        key: 'A',
        messages: [{ type: 'text', text: '{{ customer.family_name }}様、いつもありがとうございます。' }],
      },
    ],
  });
  await api('POST', `/v1/campaigns/${campaign.id}/send`);
  const sent = await until(
    () => api<CampaignView>('GET', `/v1/campaigns/${campaign.id}`),
    (c) => c.sentAt !== null,
  );
  const recipients = await api<{ items: { customerId: number; decision: string }[] }>(
    'GET',
    `/v1/campaigns/${campaign.id}/recipients?limit=200`,
  );
  // A second after the send, so the later campaign this file sends (to the buyers' segment,
  // which these orders put them in) comes after the orders: attribution is last touch, and an
  // order placed after that campaign would be its conversion, not this one's.
  const after = new Date(Date.parse(sent.sentAt as string) + 1_000).toISOString();
  const messaged = recipients.items.filter((r) => r.decision === 'send').map((r) => r.customerId);
  const heldOut = recipients.items.filter((r) => r.decision === 'holdout').map((r) => r.customerId);
  expect(messaged.length).toBeGreaterThan(4);
  expect(heldOut.length).toBeGreaterThan(4);
  const db = bed.database.db;
  for (const id of messaged.slice(0, Math.ceil(messaged.length * 0.6)))
    await addOrder(db, ws, id, after, ['SKU-1'], { amount: 3200 });
  await addOrder(db, ws, heldOut[0] as number, after, ['SKU-1'], { amount: 3200 });
  return campaign.id;
}

beforeAll(async () => {
  bed = await createLineTestBed({}, jobs);
  ws = bed.workspace.workspaceId;
  const db = bed.database.db;
  friends = await makeFriends(db, ws, 7001, 40);
  // One friend with a name, to find in the preview's customer picker.
  await db
    .updateTable('customer')
    .set({ family_name: '青木', given_name: '陽子', family_name_kana: 'アオキ', given_name_kana: 'ヨウコ' })
    .where('workspace_id', '=', ws)
    .where('id', '=', friends[0] as number)
    .execute();
  await api('POST', '/v1/loyalty/coupon-templates', {
    name: '初回限定300円引き',
    kind: 'amount_off',
    value: 300,
    minSpend: 1000,
  });
  resultsCampaignId = await sentCampaignWithOrders();
  await api('POST', '/v1/segments', {
    name: '購入者',
    definition: { aggregate: { of: 'orders', measure: 'count' }, op: 'gte', value: 1 },
  });
  browser = await launchBrowser();
  page = browser.page;
  await page.goto(bed.appUrl);
  await page.getByLabel('メールアドレス').fill(bed.workspace.ownerEmail);
  await page.getByLabel('パスワード').fill(bed.workspace.ownerPassword as string);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.getByRole('heading', { name: 'ダッシュボード' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await bed?.close();
});

async function check(name: string) {
  // The pointer rests off the page, so axe judges buttons as they look, not in their hover colours.
  await page.mouse.move(0, 0);
  await page.waitForLoadState('networkidle');
  await screenshot(page, name);
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

interface JourneyView {
  id: number;
  status: string;
  latestVersion: number;
  definition: { nodes: { id: string; messages?: { text?: string }[] }[] };
}

describe('journeys in Japanese', () => {
  let journeyId: number;

  it('says what to do when there is no journey, then creates one from the friend-add template', async () => {
    await page.getByRole('link', { name: 'ステップ配信' }).click();
    await page.getByRole('heading', { name: 'ステップ配信' }).waitFor();
    await page.getByText('ステップ配信のシナリオがまだありません').waitFor();
    await check('journeys-01-empty');
    await page.getByRole('button', { name: 'テンプレートから作成' }).click();
    await page.getByRole('radio', { name: /友だち追加ウェルカム/ }).check();
    // The name follows the template, and the coupon step gets the workspace's coupon.
    expect(await page.getByLabel('シナリオ名').inputValue()).toBe('友だち追加ウェルカム');
    await page.getByText('初回限定300円引き').waitFor();
    await check('journeys-02-create');
    await page.getByRole('button', { name: '下書きを作成' }).click();
    await page.getByRole('heading', { name: /友だち追加ウェルカム/ }).waitFor();
    journeyId = Number(new URL(page.url()).pathname.split('/').pop());
    const stored = await api<JourneyView & { definition: { nodes: { action?: { templateId: number } }[] } }>(
      'GET',
      `/v1/journeys/${journeyId}`,
    );
    expect(stored.status).toBe('draft');
    expect(stored.definition.nodes[0]?.action?.templateId).toBeGreaterThan(0);
  });

  it('shows the step list the way step delivery reads: right after the friend-add, day 3 10:00, day 7 10:00', async () => {
    const timings = await page.locator('.kz-step-timing').allTextContents();
    // The coupon and the greeting at once, then the waits' JST days and times added up.
    expect(timings).toEqual(['友だち追加直後', '友だち追加直後', '3日後 10:00', '7日後 10:00']);
    await page.getByText('友だち追加ありがとうございます！', { exact: false }).waitFor();
    await check('journeys-03-steps');
  });

  it("edits a step's message, saves a new version and publishes it", async () => {
    await page.getByRole('button', { name: '編集（3日後 10:00 メッセージ）' }).click();
    const text = page.getByLabel('メッセージ本文');
    await text.fill('{{ customer.family_name }}様、当店おすすめの楽しみ方をご紹介します。');
    await page.getByRole('button', { name: '反映' }).click();
    await page.getByText('未保存の変更があります').waitFor();
    // A draft saves as a draft ("下書きを保存"); a live journey's save says it makes a new version.
    await page.getByRole('button', { name: '下書きを保存' }).click();
    await page.getByText('保存しました（v2）').waitFor();
    const saved = await api<JourneyView>('GET', `/v1/journeys/${journeyId}`);
    expect(saved.latestVersion).toBe(2);
    expect(saved.definition.nodes.find((n) => n.id === 'tips')?.messages?.[0]?.text).toBe(
      '{{ customer.family_name }}様、当店おすすめの楽しみ方をご紹介します。',
    );
    await page.getByRole('button', { name: '公開' }).click();
    await page.locator('h1 .ant-tag').filter({ hasText: '配信中' }).waitFor();
    expect((await api<JourneyView>('GET', `/v1/journeys/${journeyId}`)).status).toBe('live');
  });

  it('previews the journey for one customer: the path, the send decisions and the messages', async () => {
    await page.getByRole('tab', { name: 'プレビュー' }).click();
    await page.getByRole('combobox', { name: 'お客様' }).fill('アオキ');
    await page.locator('.ant-select-item-option').filter({ hasText: '青木 陽子' }).click();
    await page.getByRole('button', { name: 'プレビュー', exact: true }).click();
    await page.getByText(/プレビューのみ・送信されません（v2/).waitFor();
    // Three messages, each decided by the send policy (she is a LINE friend with consent).
    const decisions = page.locator('.kz-preview-step .ant-tag').filter({ hasText: /^送信$|保留/ });
    await expect.poll(() => decisions.count()).toBe(3);
    await page
      .getByRole('tabpanel', { name: 'プレビュー' })
      .getByText(/当店おすすめの楽しみ方/)
      .waitFor();
    await check('journeys-04-preview');
  });

  it('shows the results: nobody entered yet, with what happens next', async () => {
    await page.getByRole('tab', { name: '効果測定' }).click();
    await page.getByText('まだ誰もこのシナリオに入っていません').waitFor();
    await page.getByLabel('計測期間（日）').waitFor();
    await check('journeys-05-results');
  });

  it('lists the journey as live with its trigger, and pause follows the status', async () => {
    await page.getByRole('link', { name: 'ステップ配信の一覧へ' }).click();
    const row = page.locator('tr.ant-table-row').filter({ hasText: '友だち追加ウェルカム' });
    await row.waitFor();
    // The list may first show what it had cached from before the publish; it refetches.
    await expect.poll(() => row.textContent()).toContain('配信中');
    expect(await row.textContent()).toContain('友だち追加');
    expect(await row.textContent()).toContain('公開中 v2／最新 v2');
    await row.getByRole('button', { name: '一時停止' }).click();
    await row.getByRole('button', { name: '再開' }).waitFor();
    expect((await api<JourneyView>('GET', `/v1/journeys/${journeyId}`)).status).toBe('paused');
    await check('journeys-06-list');
  });

  it('draws a branching journey as a flow chart', async () => {
    const templates = await api<{ items: { id: string; definition: unknown }[] }>(
      'GET',
      '/v1/journeys/templates',
    );
    const branching = templates.items.find((tpl) => tpl.id === 'second_purchase');
    const created = await api<{ id: number }>('POST', '/v1/journeys', {
      name: '2回目購入のご案内',
      definition: branching?.definition,
    });
    await page.goto(`${bed.appUrl}/journeys/${created.id}`);
    await page.getByRole('tab', { name: 'フロー図' }).waitFor();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(5);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(5);
    await page.locator('.react-flow__edge-text').filter({ hasText: 'いいえ' }).waitFor();
    await check('journeys-07-canvas');
  });
});

describe('campaigns in Japanese', () => {
  it("opens a sent campaign's results and sees the lift over the holdout", async () => {
    const results = await api<{
      groups: { group: string; lift: { conversionRate: { estimate: number; lower: number } } | null }[];
    }>('GET', `/v1/campaigns/${resultsCampaignId}/results`);
    const lift = results.groups.find((g) => g.group === 'A')?.lift;
    expect(lift?.conversionRate.lower).toBeGreaterThan(0);
    await page.getByRole('link', { name: '一斉配信' }).click();
    await page.getByRole('link', { name: '冬のご来店感謝クーポン' }).click();
    const headline = page
      .locator('.ant-statistic')
      .filter({ hasText: 'コンバージョン率のリフト' })
      .locator('.ant-statistic-content-value');
    await expect.poll(() => headline.textContent()).toMatch(/pt$/);
    expect(await headline.textContent()).toBe(
      `+${((lift?.conversionRate.estimate ?? 0) * 100).toFixed(1)}pt`,
    );
    await page
      .getByText(/^95%信頼区間 \+/)
      .first()
      .waitFor();
    await page.locator('tr.ant-table-row').filter({ hasText: '除外グループ' }).waitFor();
    await check('journeys-08-campaign-results');
  });

  it('creates a campaign for a segment and shows the LINE cost estimate before sending', async () => {
    await page.getByRole('link', { name: '一斉配信の一覧へ' }).click();
    await page.getByRole('button', { name: '新規キャンペーン' }).click();
    await page.getByLabel('キャンペーン名').fill('年末のごあいさつ');
    await page.getByRole('combobox', { name: 'セグメント' }).click();
    await page.locator('.ant-select-item-option').filter({ hasText: '購入者' }).click();
    await page
      .getByLabel('メッセージ本文')
      .fill('{{ customer.family_name }}様、本年もありがとうございました。');
    await check('journeys-09-campaign-new');
    await page.getByRole('button', { name: '下書きを保存' }).click();
    await page.getByRole('heading', { name: /年末のごあいさつ/ }).waitFor();
    await page.getByRole('button', { name: '今すぐ配信' }).click();
    const dialog = page.getByRole('dialog', { name: /今すぐ配信しますか/ });
    await dialog.getByText('配信前の見積もり').waitFor();
    // Unset plan: standard, ¥3 an additional message.
    await dialog.getByText(/スタンダードプラン（月額 ￥15,000、無料 30,000 通、追加 ￥3\/通）/).waitFor();
    await check('journeys-10-send-confirm');
    await dialog.getByRole('button', { name: '配信する' }).click();
    await page
      .locator('h1 .ant-tag')
      .filter({ hasText: /配信中|配信済み/ })
      .waitFor();
  });

  it('saves the send policy (admin): quiet hours and a LINE cap', async () => {
    await page.getByRole('link', { name: '配信ルール' }).click();
    await page.getByRole('heading', { name: '配信ルール' }).waitFor();
    const quiet = page.getByRole('checkbox', { name: '配信停止時間を設定する' });
    if (!(await quiet.isChecked())) await quiet.check();
    await page.getByLabel('開始（日本時間）').fill('22:00');
    await page.getByLabel('終了（日本時間）').fill('8:00');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('時刻は 21:00 のように HH:MM で入力してください').waitFor();
    await page.getByLabel('終了（日本時間）').fill('08:00');
    const lineCap = page.locator('.ant-card').filter({ hasText: 'LINE の配信回数の上限' });
    const capOn = lineCap.getByRole('checkbox', { name: '上限を設定する' });
    if (!(await capOn.isChecked())) await capOn.check();
    await lineCap.getByLabel('1人あたりの通数').fill('3');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('配信ルールを保存しました').waitFor();
    const policy = await api<{ quietHours: unknown; frequencyCaps: { line: unknown } }>(
      'GET',
      '/v1/messaging/policy',
    );
    expect(policy.quietHours).toEqual({ start: '22:00', end: '08:00' });
    expect(policy.frequencyCaps.line).toMatchObject({ max: 3 });
    await check('journeys-11-send-policy');
  });
});

describe('in English, and on a tablet', () => {
  it("shows a campaign's lift in English", async () => {
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('link', { name: '冬のご来店感謝クーポン' }).click();
    await page.locator('.ant-statistic').filter({ hasText: 'Conversion rate lift' }).waitFor();
    await page
      .getByText(/^95% interval \+/)
      .first()
      .waitFor();
    await check('journeys-12-campaign-results-en');
    await page.getByText('日本語', { exact: true }).click();
  });

  it('keeps the journey list and a journey page inside a 768 px tablet screen', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    // The side menu folds away below 992 px: go by address.
    await page.goto(`${bed.appUrl}/journeys`);
    await page.locator('tr.ant-table-row').first().waitFor();
    // Evaluated in the page: the test's own tsconfig has no DOM types, so the page's globals are read untyped.
    const overflow = () =>
      page.evaluate(() => {
        const w = globalThis as unknown as {
          innerWidth: number;
          document: { documentElement: { scrollWidth: number } };
        };
        return w.document.documentElement.scrollWidth - w.innerWidth;
      });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole('link', { name: '友だち追加ウェルカム' }).click();
    await page.locator('.kz-step').first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(browser.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  });
});
