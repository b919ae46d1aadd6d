// The member's own data in the LIFF app, in Chromium at 390×844 against the real server and the
// LINE sandbox's LINE Login: the first-open survey (validation, answers saved to the customer,
// then the card), editing it later from the プロフィール tab, linking an existing shop account
// (its points then on the card), and the screen for a browser outside LINE with LINE Login.
import type { LineSandbox } from '@kizuna/line-sandbox';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, seriousViolations } from '../../console/test/browser.ts';
import type { TestApp } from '../../server/test/helpers.ts';
import { type LiffServer, startLiffServer } from './liff-server.ts';
import { launchPhone, screenshot } from './phone.ts';

const LIFF_ID = '2000000001-LiffProf1';

let t: TestApp;
let line: LineSandbox;
let browser: Browser;
let url: string;

let server: LiffServer;
const staff = (method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) =>
  server.staff(method, path, payload);

beforeAll(async () => {
  server = await startLiffServer(LIFF_ID, 1838);
  ({ t, line, url } = server);
  await staff('PUT', '/v1/stores/shibuya', { name: '渋谷店' });
  await staff('PUT', '/v1/stores/kichijoji', { name: '吉祥寺店' });
  await staff('PUT', '/v1/liff/survey', {
    questions: [
      { key: 'age_band', kind: 'age_band', labelJa: '年代', labelEn: 'Age', required: true },
      { key: 'gender', kind: 'gender', labelJa: '性別', labelEn: 'Gender' },
      { key: 'favorite_store', kind: 'favorite_store', labelJa: 'よく利用する店舗', labelEn: 'Store' },
      {
        key: 'interests',
        kind: 'interests',
        labelJa: '好きなもの',
        labelEn: 'Interests',
        options: [
          { value: 'coffee', labelJa: 'コーヒー', labelEn: 'Coffee' },
          { value: 'sweets', labelJa: 'スイーツ', labelEn: 'Sweets' },
          { value: 'tea', labelJa: '紅茶', labelEn: 'Tea' },
        ],
      },
      { key: 'request', kind: 'text', labelJa: 'お店へのご要望', labelEn: 'Requests' },
    ],
  });
  browser = await launchPhone();
});

afterAll(async () => {
  await browser?.close();
  await line?.close();
  await t?.close();
});

/** A new page as a LINE user of the sandbox; the page keeps its console errors. */
async function openAs(
  userId: string,
  options: { inClient?: boolean; loggedIn?: boolean } = {},
  beforeLoad?: (page: Page) => Promise<void>,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  await beforeLoad?.(page);
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  const mock = { idToken: line.login.mintIdToken(userId), ...options };
  await page.addInitScript((m) => {
    (globalThis as { kizunaLiffMock?: object }).kizunaLiffMock = m;
  }, mock);
  await page.goto(`${url}/liff/${LIFF_ID}`);
  return { page, errors };
}

/** axe over the page as it is now, and a screenshot of it at 390×844. */
async function check(page: Page, name: string) {
  await page.waitForLoadState('networkidle');
  await screenshot(page, name);
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

const customerOf = (lineUserId: string) =>
  staff('GET', `/v1/customers/lookup?kind=line&value=${lineUserId}`) as Promise<{
    id: number;
    gender: string | null;
    interests: string[];
    attributes: Record<string, unknown>;
  }>;

const QR = '会員証のQRコード（レジで読み取ってください）';

describe('the member profile in the LIFF app', () => {
  const member = { userId: '', page: undefined as unknown as Page, errors: [] as string[] };

  it('on first open asks the survey, names what is missing, saves the answers, then shows the card', async () => {
    member.userId = line.users.create({ displayName: '会員 初子' }).userId;
    Object.assign(member, await openAs(member.userId));
    const { page } = member;
    await page.getByRole('heading', { name: 'ようこそ！' }).waitFor();
    await check(page, '05-survey');
    await page.getByRole('button', { name: '登録して会員証を表示' }).click();
    await page.getByText('「年代」を選んでください').waitFor();
    await page.getByText('入力内容をご確認ください。').waitFor();
    await check(page, '05b-survey-missing');
    await page.getByLabel('30代').check();
    await page.getByLabel('女性').check();
    await page.getByLabel('よく利用する店舗').selectOption('kichijoji');
    await page.getByLabel('コーヒー').check();
    await page.getByLabel('スイーツ').check();
    await page.getByLabel('お店へのご要望').fill('平日の朝に使えるクーポンがうれしいです');
    await page.getByLabel('お店からのお知らせ（新商品・クーポンなど）をLINEで受け取る').check();
    await page.getByRole('button', { name: '登録して会員証を表示' }).click();
    await page.getByRole('img', { name: QR }).waitFor();
    expect(await page.getByText('一般会員').count()).toBe(1);
    await check(page, '06-card-after-survey');
    const customer = await customerOf(member.userId);
    expect(customer.gender).toBe('female');
    expect(customer.interests).toEqual(['coffee', 'sweets']);
    expect(customer.attributes).toMatchObject({
      age_band: '30s',
      request: '平日の朝に使えるクーポンがうれしいです',
    });
    expect(member.errors).toEqual([]);
  });

  it('edits the answers later from the プロフィール tab', async () => {
    const { page } = member;
    await page.getByRole('button', { name: 'プロフィール' }).click();
    await page.getByRole('heading', { name: 'プロフィール' }).waitFor();
    expect(await page.getByLabel('30代').isChecked()).toBe(true);
    expect(await page.getByLabel('よく利用する店舗').inputValue()).toBe('kichijoji');
    await page.getByLabel('40代').check();
    await page.getByLabel('紅茶').check();
    await page.getByRole('button', { name: '保存する' }).click();
    await page.getByText('保存しました。').waitFor();
    await check(page, '07-profile');
    const customer = await customerOf(member.userId);
    expect(customer.attributes.age_band).toBe('40s');
    expect(customer.interests).toEqual(['coffee', 'sweets', 'tea']);
  });

  it('links an existing shop account: a wrong proof is refused, the right one brings its points', async () => {
    const [shop] = (
      await staff('POST', '/v1/customers', {
        customers: [
          {
            familyName: '既存',
            givenName: '花子',
            phone: '090-1111-5005',
            external: [{ namespace: 'member_no', value: 'M-5005' }],
          },
        ],
      })
    ).accepted;
    await staff('POST', `/v1/loyalty/members/${shop.id}/adjustments`, {
      points: 1200,
      reason: '旧ポイントカードから移行',
      staff: '店長',
    });
    const { page } = member;
    await page.getByLabel('会員番号').fill('M-5005');
    await page.getByLabel('ご登録の電話番号の下4桁').fill('1234');
    await page.getByRole('button', { name: '連携する' }).click();
    await page
      .getByText('会員番号とご登録情報の組み合わせが確認できませんでした。入力内容をご確認ください。')
      .waitFor();
    await check(page, '08-link-refused');
    await page.getByLabel('ご登録の電話番号の下4桁').fill('5005');
    await page.getByRole('button', { name: '連携する' }).click();
    await page.getByText('連携しました。これまでのポイントと履歴がこの会員証に引き継がれました。').waitFor();
    await expect.poll(() => page.getByTestId('card-points').textContent()).toBe('1,200 pt');
    await page.getByRole('img', { name: QR }).waitFor();
    await check(page, '09-card-after-link');
    // One customer now: the older record survives (here the LINE member's) holding both.
    const byMemberNo = await staff(
      'GET',
      '/v1/customers/lookup?kind=external&namespace=member_no&value=M-5005',
    );
    expect(byMemberNo.id).toBe((await customerOf(member.userId)).id);
    expect((await staff('GET', `/v1/customers/${shop.id}`)).id).toBe(byMemberNo.id);
    expect(member.errors.filter((e) => !e.includes('400'))).toEqual([]);
  });

  it('outside LINE says so and offers LINE Login, which then opens the member session', async () => {
    const userId = line.users.create({ displayName: '会員 外子' }).userId;
    const { page, errors } = await openAs(userId, { inClient: false, loggedIn: false });
    await page.getByRole('heading', { name: 'LINEアプリで開いてください' }).waitFor();
    expect(await page.getByRole('img', { name: QR }).count()).toBe(0);
    await check(page, '10-outside-line');
    await page.getByRole('button', { name: 'LINEでログイン' }).click();
    await page.getByRole('heading', { name: 'ようこそ！' }).waitFor();
    // The English switch turns the survey's own strings and the questions' labelEn to English.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Welcome!' }).waitFor();
    await page.getByRole('button', { name: 'Save and show my card' }).click();
    await page.getByText('Please choose "Age"').waitFor();
    await check(page, '11-survey-english');
    expect(errors).toEqual([]);
  });

  it('renews the member session in place before it runs out, without a reload', async () => {
    const userId = line.users.create({ displayName: '会員 長居' }).userId;
    const posts: number[] = [];
    const { page, errors } = await openAs(userId, {}, async (p) => {
      await p.clock.install();
      p.on('response', (r) => {
        if (r.url().endsWith('/v1/liff/session') && r.request().method() === 'POST') posts.push(r.status());
      });
    });
    await page.getByRole('heading', { name: 'ようこそ！' }).waitFor();
    expect(posts).toEqual([200]);
    // The page's timers jump 26 minutes: the renewal is due 25 minutes into the 30-minute session.
    await page.clock.fastForward('26:00');
    await expect.poll(() => posts).toEqual([200, 200]);
    await page.getByLabel('30代').check();
    await page.getByRole('button', { name: '登録して会員証を表示' }).click();
    await page.getByRole('img', { name: QR }).waitFor();
    expect(await page.getByText('セッションの有効期限が切れました。もう一度お試しください。').count()).toBe(
      0,
    );
    expect(errors).toEqual([]);
  });
});
