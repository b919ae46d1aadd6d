// Issues #15 and #16: the email settings in a real browser against the real server. The owner
// finds no sender, is refused a bad from address on that field, saves a good one, copies the DKIM
// record (which then verifies the test mail's signature), sends a test mail: first with no relay
// configured (the guidance), then through an in-process SMTP server, then refused by it; the
// template list and a preview; one pass in English; a viewer sees it all read only.
// axe-core on every page; 1280×800 screenshots email-*.png.
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSmtpTransports } from '../../server/src/email/smtp-transport.ts';
import { acceptAsNewUser, invite } from '../../server/test/auth-helpers.ts';
import { headerValue, type MailSink, startMailSink } from '../../server/test/email-sink.ts';
import { createTestApp, type TestApp } from '../../server/test/helpers.ts';
import { type Browser, launchBrowser, screenshot, seriousViolations } from './browser.ts';
import { freePort } from './line-fixtures.ts';

const VIEWER = { email: 'kaori@example.jp', password: 'Kaori-no-Kizuna-2026' };
let t: TestApp;
let sink: MailSink;
let url: string;
let browser: Browser;
let page: Page;
/**
 * The app's email runtime, kept by reference: the test starts with no relay (as a server without
 * KIZUNA_SMTP_URL) and then sets one, as an operator does by setting it and restarting. The route
 * reads `smtp` on each request, so one server shows both states.
 */
const email: { smtp: MailSink['smtp'] | undefined; publicUrl: string } = { smtp: undefined, publicUrl: '' };

async function inject(method: 'GET' | 'POST', path: string, payload?: object) {
  const res = await t.app.inject({ method, url: path, headers: t.auth, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  email.publicUrl = url;
  sink = await startMailSink();
  t = await createTestApp({ publicUrl: url, email });
  await t.app.listen({ host: '127.0.0.1', port });
  browser = await launchBrowser();
  page = browser.page;
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
});

afterAll(async () => {
  await browser?.close();
  closeSmtpTransports();
  await t?.close();
  await sink?.close();
});

/**
 * A screenshot and axe, once the network is quiet (`browser.networkQuiet`: Playwright's own
 * `networkidle` may never come again in a document that has shown a mail preview's srcdoc frame).
 * `idle: false` where a preview's frame is on the page: those callers wait for the frame's text.
 */
async function check(name: string, { idle = true } = {}) {
  // The pointer off every button: axe should judge the colours at rest, not under hover.
  await page.mouse.move(0, 799);
  if (idle) await browser.networkQuiet();
  await screenshot(page, name);
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

const openMenu = (name: string) =>
  page.getByRole('navigation').getByRole('link', { name, exact: true }).click();

/** A form item by its label: its input and the error shown under it. */
const formItem = (label: string) =>
  page.locator('.ant-form-item').filter({ has: page.getByLabel(label, { exact: true }) });

/** Scrolls so that the card's heading is at the top of the screenshot (or the page's end is). */
const scrollTo = (heading: string) =>
  page.evaluate(
    `[...document.querySelectorAll('h2')].find((h) => h.textContent === ${JSON.stringify(heading)}).scrollIntoView()`,
  );

const clipboard = () => page.evaluate<string>('navigator.clipboard.readText()');

async function signIn(address: string, password: string, home = 'ダッシュボード') {
  await page.goto(url);
  await page.getByLabel('メールアドレス').fill(address);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.getByRole('heading', { name: home }).waitFor();
}

describe('email settings', () => {
  it('shows the owner what to do first when there is no sender', async () => {
    await signIn(t.workspace.ownerEmail, t.workspace.ownerPassword!);
    await openMenu('メール設定');
    await page.getByRole('heading', { name: 'メール設定', level: 1 }).waitFor();
    await page.getByText('差出人はまだ設定されていません').waitFor();
    await page.getByText('特定電子メール法について').waitFor();
    expect(await page.getByRole('button', { name: 'テストメールを送信' }).isDisabled()).toBe(true);
    expect(await page.getByRole('heading', { name: 'DNS に登録するレコード' }).count()).toBe(0);
    await check('email-01-empty');
  });

  it('shows the API refusing a bad from address on that field, then saves a good sender', async () => {
    await page.getByLabel('差出人名', { exact: true }).fill('絆珈琲');
    await page.getByLabel('送信元メールアドレス', { exact: true }).fill('news.kizuna-coffee.jp');
    await page.getByLabel('送信者の住所', { exact: true }).fill('東京都渋谷区神南1-2-3 絆ビル2階');
    await page
      .getByLabel('苦情・問い合わせ先', { exact: true })
      .fill('03-1234-5678 / support@kizuna-coffee.jp');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await formItem('送信元メールアドレス')
      .locator('.ant-form-item-explain-error')
      .filter({ hasText: 'メールアドレスの形式ではありません' })
      .waitFor();
    // Only that field is marked, and nothing was saved.
    expect(await page.locator('.ant-form-item-explain-error').count()).toBe(1);
    expect((await inject('GET', '/v1/email/sender')).status).toBe(404);
    await scrollTo('差出人');
    await check('email-02-field-error');

    await page.getByLabel('送信元メールアドレス', { exact: true }).fill('news@kizuna-coffee.jp');
    await page.getByLabel('1通あたりの配信料金', { exact: true }).fill('0.1');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('差出人を保存しました').waitFor();
    const saved = await inject('GET', '/v1/email/sender');
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      fromName: '絆珈琲',
      fromAddress: 'news@kizuna-coffee.jp',
      replyTo: null,
      postalAddress: '東京都渋谷区神南1-2-3 絆ビル2階',
      contact: '03-1234-5678 / support@kizuna-coffee.jp',
      yenPerMessage: 0.1,
    });
    await page.getByRole('heading', { name: 'DNS に登録するレコード' }).waitFor();
    expect(await page.getByText('差出人はまだ設定されていません').count()).toBe(0);
  });

  it('shows the three DNS records as the API gives them, each with copy buttons', async () => {
    const records = (await inject('GET', '/v1/email/sender')).body.dnsRecords as {
      name: string;
      value: string;
    }[];
    const host = (title: string) => page.getByRole('textbox', { name: `${title} ホスト名` });
    const value = (title: string) => page.getByRole('textbox', { name: `${title} 値` });
    const dkim = 'DKIM（電子署名の公開鍵）';
    const spf = 'SPF（送信を許可するサーバー）';
    const dmarc = 'DMARC（なりすまし対策の方針）';
    expect(await host(dkim).inputValue()).toBe('kizuna1._domainkey.kizuna-coffee.jp');
    expect(await value(dkim).inputValue()).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
    expect(await host(spf).inputValue()).toBe('kizuna-coffee.jp');
    expect(await value(spf).inputValue()).toBe('v=spf1 a mx ~all');
    expect(await host(dmarc).inputValue()).toBe('_dmarc.kizuna-coffee.jp');
    expect(await value(dmarc).inputValue()).toMatch(/^v=DMARC1; p=none;/);
    const shown = [];
    for (const title of [dkim, spf, dmarc])
      shown.push({ name: await host(title).inputValue(), value: await value(title).inputValue() });
    expect(shown).toEqual(records.map((r) => ({ name: r.name, value: r.value })));

    await page
      .getByRole('region', { name: dkim })
      .getByRole('button', { name: 'コピー', exact: true })
      .nth(1)
      .click();
    await page
      .getByRole('region', { name: dkim })
      .getByRole('button', { name: /コピーしました/ })
      .waitFor();
    expect(await clipboard()).toBe(records[0]?.value);
    await scrollTo('DNS に登録するレコード');
    await check('email-03-dns-records');
  });

  it('explains a missing KIZUNA_SMTP_URL, sends through a relay once set, and shows a refusal', async () => {
    const to = page.getByLabel('送信先メールアドレス', { exact: true });
    await to.fill('owner@kizuna-coffee.jp');
    await page.getByRole('button', { name: 'テストメールを送信' }).click();
    await page.getByText('送信サーバー（KIZUNA_SMTP_URL）が未設定です').waitFor();
    await scrollTo('テスト送信');
    await check('email-04-smtp-missing');

    email.smtp = sink.smtp;
    await page.getByRole('button', { name: 'テストメールを送信' }).click();
    await page.getByText('テストメールを送信しました').waitFor();
    await page.getByText(/送信サーバーの応答：250/).waitFor();
    const mail = sink.accepted.find((m) => m.to.includes('owner@kizuna-coffee.jp'));
    expect(mail?.from).toBeTruthy();
    expect(headerValue(mail!.raw, 'From')).toContain('news@kizuna-coffee.jp');
    // The DKIM record as the page shows it verifies the test mail's signature.
    const record = await page.getByRole('textbox', { name: 'DKIM（電子署名の公開鍵） 値' }).inputValue();
    const verified = await dkimVerify(mail!.raw, {
      resolver: async (name: string, type: string) => {
        if (type === 'TXT' && name === 'kizuna1._domainkey.kizuna-coffee.jp') return [[record]];
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      },
    });
    expect(verified.results[0]?.status.result).toBe('pass');
    await scrollTo('テスト送信');
    await check('email-05-test-sent');

    sink.answer = () => ({ code: 550, message: '5.7.1 Relaying denied' });
    await page.getByRole('button', { name: 'テストメールを送信' }).click();
    await page.getByText('送信サーバーがメールを受け付けませんでした').waitFor();
    await page.getByText(/5\.7\.1 Relaying denied/).waitFor();
    await scrollTo('テスト送信');
    await check('email-05b-test-refused');
    sink.answer = () => 'accept';
  });
});

describe('email templates', () => {
  it('shows an empty state, then the templates and a preview of one', async () => {
    await openMenu('メールテンプレート');
    await page.getByText('メールテンプレートはまだありません').waitFor();
    await check('email-06-templates-empty');

    const mjml = (body: string) =>
      `<mjml><mj-body><mj-section><mj-column><mj-text>${body}</mj-text></mj-column></mj-section></mj-body></mjml>`;
    for (const [name, subject, body, kind] of [
      [
        '冬のメルマガ',
        '【冬の新作】ほうじ茶ラテのご案内',
        '<p>{{ customer.given_name }}様、冬の新作ができました。</p>',
        'marketing',
      ],
      [
        'ご注文ありがとうございます',
        'ご注文を承りました',
        '<p>ご注文ありがとうございます。</p>',
        'transactional',
      ],
    ] as const)
      expect(
        (await inject('POST', '/v1/email/templates', { name, subject, mjml: mjml(body), kind })).status,
      ).toBe(201);
    expect(
      (
        await inject('POST', '/v1/customers', {
          customers: [
            {
              email: 'hanako@example.jp',
              familyName: '山田',
              givenName: '花子',
              familyNameKana: 'ヤマダ',
              givenNameKana: 'ハナコ',
            },
          ],
        })
      ).status,
    ).toBeLessThan(300);
    await page.reload();
    const row = page.getByRole('row').filter({ hasText: '冬のメルマガ' });
    await row.getByText('【冬の新作】ほうじ茶ラテのご案内').waitFor();
    await row.getByText('広告・宣伝').waitFor();
    await page
      .getByRole('row')
      .filter({ hasText: 'ご注文ありがとうございます' })
      .getByText('取引連絡')
      .waitFor();
    await row.getByRole('button', { name: 'プレビュー: 冬のメルマガ' }).click();
    await page.getByRole('heading', { name: '「冬のメルマガ」のプレビュー' }).waitFor();
    const frame = page.frameLocator('iframe[title="「冬のメルマガ」のプレビュー"]');
    // As written, the Liquid shows; for a customer, the API's preview fills it in with the footer.
    await frame.getByText('{{ customer.given_name }}様、冬の新作ができました。').waitFor();
    await check('email-07-template-preview', { idle: false });
    await page.getByLabel('差し込むお客様').click();
    await page.getByLabel('差し込むお客様').fill('ヤマダ');
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: '山田 花子' })
      .click();
    await frame.getByText('花子様、冬の新作ができました。').waitFor();
    await frame.getByText(/東京都渋谷区神南1-2-3 絆ビル2階/).waitFor();
    await page.getByText('hanako@example.jp').waitFor();
    await scrollTo('「冬のメルマガ」のプレビュー');
    await check('email-07b-template-for-customer', { idle: false });
    // The mail's remote stylesheet (MJML's web font) is left out, not refused by the console's CSP.
    expect(browser.errors.filter((e) => /Content Security Policy/.test(e))).toEqual([]);
  });
});

describe('in English, and read only for a viewer', () => {
  it('shows the settings in English', async () => {
    await openMenu('メール設定');
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'Email settings', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'DNS records to publish' }).waitFor();
    await page.getByText("Japan's Act on Specified Electronic Mail", { exact: false }).waitFor();
    await check('email-08-english');
    await page.getByText('日本語', { exact: true }).click();
    await page.getByRole('heading', { name: 'メール設定', level: 1 }).waitFor();
  });

  it('shows a viewer the sender and records but nothing to change', async () => {
    const token = await invite(t.app, t.auth, VIEWER.email, 'viewer');
    await acceptAsNewUser(t.app, token, VIEWER.password);
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.getByRole('button', { name: 'ログイン' }).waitFor();
    await signIn(VIEWER.email, VIEWER.password);
    await openMenu('メール設定');
    await page.getByText('閲覧のみです。設定を変更できるのはオーナーと管理者です。').waitFor();
    const sender = page.locator('.ant-descriptions-row').filter({ hasText: '差出人名' });
    expect(await sender.locator('.ant-descriptions-item-content').textContent()).toBe('絆珈琲');
    expect(await page.getByRole('textbox', { name: '差出人名' }).count()).toBe(0);
    await page
      .locator('.ant-descriptions-row')
      .filter({ hasText: '1通あたりの配信料金' })
      .getByText('0.1円')
      .waitFor();
    expect(await page.getByRole('button', { name: '保存', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'テストメールを送信' }).count()).toBe(0);
    await page.getByRole('heading', { name: 'DNS に登録するレコード' }).waitFor();
    await check('email-09-viewer');
  });
});
