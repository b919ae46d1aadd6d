// The email template editor and DKIM rotation in a real browser against the real server. The
// owner writes a template with Liquid and sees the live preview fill it in for the sample
// customer, creates it, reopens it from the list and edits it; a misspelt variable is shown under
// the body field in Japanese; leaving with unsaved changes is asked about; the fix is saved and
// the API holds it. On メール設定 「DKIM鍵を更新」 explains that a new key is prepared while the
// current one signs on; the pending record appears beside the current one, and 「新しい鍵に切り替える」
// makes it the current record and marks the old one removable. One check in English, and a viewer's read-only editor.
// axe-core on each screen; 1280×800 screenshots email-editor-*.png.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAsNewUser, invite } from '../../server/test/auth-helpers.ts';
import { createTestApp, type TestApp } from '../../server/test/helpers.ts';
import { type Browser, launchBrowser, screenshot, seriousViolations } from './browser.ts';
import { freePort } from './line-fixtures.ts';

const VIEWER = { email: 'miki@example.jp', password: 'Miki-no-Kizuna-2026' };
let t: TestApp;
let url: string;
let browser: Browser;
let page: Page;

async function api(method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) {
  const res = await t.app.inject({ method, url: path, headers: t.auth, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  t = await createTestApp({ publicUrl: url });
  await t.app.listen({ host: '127.0.0.1', port });
  await api('PUT', '/v1/email/sender', {
    fromName: '絆珈琲',
    fromAddress: 'news@kizuna-coffee.jp',
    postalAddress: '東京都渋谷区神南1-2-3 絆ビル2階',
    contact: '03-1234-5678',
  });
  browser = await launchBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** A screenshot and axe (the pointer off every button, so axe judges colours at rest). */
async function check(name: string) {
  await page.mouse.move(0, 799);
  await screenshot(page, name);
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

const openMenu = (name: string) =>
  page.getByRole('navigation').getByRole('link', { name, exact: true }).click();

/** A form item by its label: its input and the problems shown under it. */
const formItem = (label: string) =>
  page.locator('.ant-form-item').filter({ has: page.getByLabel(label, { exact: true }) });
const problemsUnder = (label: string) => formItem(label).locator('.ant-form-item-explain');

const preview = () => page.frameLocator('iframe[title="プレビュー"]');

const mjml = (body: string) => `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>
          <p>${body}</p>
        </mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

async function signIn(address: string, password: string) {
  await page.goto(url);
  await page.getByLabel('メールアドレス').fill(address);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.getByRole('heading', { name: 'ダッシュボード' }).waitFor();
}

let templateId = 0;

describe('email template editor', () => {
  it('writes a template with Liquid, sees the preview fill it in for the sample customer, and creates it', async () => {
    await signIn(t.workspace.ownerEmail, t.workspace.ownerPassword!);
    await openMenu('メールテンプレート');
    await page.getByText('右上の「新規テンプレート」から、最初のメールを作成してください。').waitFor();
    await page.getByRole('button', { name: '新規テンプレート' }).click();
    await page.getByRole('heading', { name: '新規テンプレート', level: 1 }).waitFor();
    await page.getByLabel('件名', { exact: true }).fill('{{ customer.given_name }}様へ 冬の新作のご案内');
    await page.getByLabel('テンプレート名', { exact: true }).fill('冬のメルマガ');
    await page
      .getByLabel('本文（MJML）', { exact: true })
      .fill(mjml('{{ customer.given_name }}様、ポイント残高は{{ customer.points }}ポイントです。'));
    await preview().getByText('花子様、ポイント残高は1200ポイントです。').waitFor();
    await page.getByText('件名：花子様へ 冬の新作のご案内').waitFor();
    // A marketing mail's preview carries the specified-mail footer with the sender's address.
    await preview()
      .getByText(/東京都渋谷区神南1-2-3 絆ビル2階/)
      .waitFor();
    await page.getByText('保存していない変更があります').waitFor();
    await check('email-editor-01-new');

    await page.getByRole('button', { name: '作成', exact: true }).click();
    await page.getByText('「冬のメルマガ」を作成しました').waitFor();
    await page.getByRole('heading', { name: '「冬のメルマガ」を編集', level: 1 }).waitFor();
    const { items } = await api('GET', '/v1/email/templates');
    expect(items).toMatchObject([
      { name: '冬のメルマガ', subject: '{{ customer.given_name }}様へ 冬の新作のご案内', kind: 'marketing' },
    ]);
    templateId = items[0].id;
    expect(page.url()).toBe(`${url}/email/templates/${templateId}`);
  });

  it('reopens it from the list; a misspelt variable is shown under the body; leaving asks first', async () => {
    await openMenu('メールテンプレート');
    await page.getByRole('link', { name: '編集: 冬のメルマガ' }).click();
    await page.getByRole('heading', { name: '「冬のメルマガ」を編集', level: 1 }).waitFor();
    const body = page.getByLabel('本文（MJML）', { exact: true });
    expect(await body.inputValue()).toContain('{{ customer.points }}ポイントです。');
    await body.fill(mjml('{{ customer.given_name }}様、ポイント残高は{{ customer.pointz }}ポイントです。'));
    await problemsUnder('本文（MJML）')
      .getByText(
        /^6行目 \d+文字目：「customer\.pointz」という差し込み項目はありません。下の「差し込める項目」の名前を使ってください$/,
      )
      .waitFor();
    await page.getByText('入力に誤りがあるため、プレビューを更新できません。').waitFor();
    // Only the body is marked; the last good preview stays.
    expect(await page.locator('.ant-form-item-has-error').count()).toBe(1);
    await preview().getByText('花子様、ポイント残高は1200ポイントです。').waitFor();
    await page.getByRole('button', { name: '差し込める項目' }).click();
    await page.getByText('{{ customer.points }}', { exact: true }).waitFor();
    await check('email-editor-02-liquid-error');
    // Saving is refused by the server, naming the same field.
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('赤く表示された項目を直してから保存してください。').waitFor();

    await openMenu('メール設定');
    const leave = page.locator('.ant-modal-confirm-title', { hasText: '変更を保存せずに移動しますか？' });
    await leave.waitFor();
    await page.getByRole('button', { name: '編集を続ける' }).click();
    await leave.waitFor({ state: 'hidden' });
    expect(page.url()).toBe(`${url}/email/templates/${templateId}`);

    await body.fill(mjml('{{ customer.name }}様、ポイント残高は{{ customer.points }}ポイントです。'));
    await preview().getByText('山田 花子様、ポイント残高は1200ポイントです。').waitFor();
    expect(await page.locator('.ant-form-item-has-error').count()).toBe(0);
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('「冬のメルマガ」を保存しました').waitFor();
    const saved = await api('GET', `/v1/email/templates/${templateId}`);
    expect(saved.mjml).toContain('{{ customer.name }}様');
    expect(saved.html).toContain('{{ customer.name }}様');
    // Saved: the menu leaves without asking.
    await openMenu('メール設定');
    await page.getByRole('heading', { name: 'メール設定', level: 1 }).waitFor();
  });
});

/** Scrolls the DNS record section of this title to the middle of the window (above it: the current record). */
const centre = (title: string) =>
  page.getByRole('region', { name: title }).evaluate((el) => el.scrollIntoView({ block: 'center' }));

describe('DKIM rotation', () => {
  it('prepares a new key beside the current one, shows its record, and switches to it when told', async () => {
    const current = page.getByRole('textbox', { name: 'DKIM（電子署名の公開鍵） 値' });
    const before = await current.inputValue();
    expect(before).toMatch(/^v=DKIM1; k=rsa; p=/);
    await page.getByRole('button', { name: 'DKIM鍵を更新' }).click();
    await page.getByText('新しい鍵を準備します。メールは今の鍵で署名され続けます').waitFor();
    await page.getByText(/「新しい鍵に切り替える」を押してください/).waitFor();
    await check('email-editor-03-dkim-confirm');
    await page.getByRole('button', { name: '新しい鍵を準備する' }).click();
    await page.getByText(/上の「DKIM（新しい鍵・切り替え前）」のレコードを DNS に追加し/).waitFor();
    // The current record is unchanged; the pending one is offered with its own host name.
    const pendingHost = page.getByRole('textbox', { name: 'DKIM（新しい鍵・切り替え前） ホスト名' });
    expect(await pendingHost.inputValue()).toBe('kizuna2._domainkey.kizuna-coffee.jp');
    expect(await current.inputValue()).toBe(before);
    const pending = await page.getByRole('textbox', { name: 'DKIM（新しい鍵・切り替え前） 値' }).inputValue();
    const rotated = await api('GET', '/v1/email/sender');
    expect(rotated.dnsRecords.find((r: { state: string }) => r.state === 'pending').value).toBe(pending);

    await centre('DKIM（新しい鍵・切り替え前）');
    await check('email-editor-04-dkim-pending');
    await page.getByRole('button', { name: '新しい鍵に切り替える' }).click();
    await page.getByText(/「kizuna2\._domainkey\.kizuna-coffee\.jp」のレコードを DNS に追加し/).waitFor();
    await check('email-editor-05-dkim-activate-confirm');
    await page.getByRole('button', { name: '切り替える', exact: true }).click();
    await expect.poll(() => current.inputValue()).toBe(pending);
    const retired = page.getByRole('textbox', { name: 'DKIM（以前の鍵・数日後に削除できます） 値' });
    expect(await retired.inputValue()).toBe(before);
    expect((await api('GET', '/v1/email/sender')).dkimSelector).toBe('kizuna2');
    // The rotation card's "publish, then switch" note is gone: that step is done.
    await expect
      .poll(() => page.getByText(/「新しい鍵に切り替える」を押してください。それまで/).count())
      .toBe(0);
    await centre('DKIM（以前の鍵・数日後に削除できます）');
    await screenshot(page, 'email-editor-06-dkim-switched');
  });
});

describe('in English, and read only for a viewer', () => {
  it('shows the editor in English, and leaves without saving when told to', async () => {
    await page.goto(`${url}/email/templates/${templateId}`);
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'Edit "冬のメルマガ"', level: 1 }).waitFor();
    await page.getByLabel('Body (MJML)', { exact: true }).waitFor();
    // An unsaved change, then leaving anyway through the back link: nothing is saved.
    await page.getByLabel('Template name', { exact: true }).fill('冬のメルマガ（下書き）');
    await page.getByRole('link', { name: 'Back to the templates' }).click();
    await page.locator('.ant-modal-confirm-title', { hasText: 'Leave without saving?' }).waitFor();
    await page.getByRole('button', { name: 'Leave without saving' }).click();
    await page.getByRole('heading', { name: 'Email templates', level: 1 }).waitFor();
    expect((await api('GET', `/v1/email/templates/${templateId}`)).name).toBe('冬のメルマガ');
    await page.getByText('日本語', { exact: true }).click();
    await page.getByRole('heading', { name: 'メールテンプレート', level: 1 }).waitFor();
  });

  it('opens the template for a viewer without anything to change', async () => {
    const token = await invite(t.app, t.auth, VIEWER.email, 'viewer');
    await acceptAsNewUser(t.app, token, VIEWER.password);
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.getByRole('button', { name: 'ログイン' }).waitFor();
    await signIn(VIEWER.email, VIEWER.password);
    await openMenu('メールテンプレート');
    expect(await page.getByRole('button', { name: '新規テンプレート' }).count()).toBe(0);
    await page.getByRole('link', { name: '内容を見る: 冬のメルマガ' }).click();
    await page.getByText('閲覧のみです。テンプレートを作成・編集できるのはオーナーと管理者です。').waitFor();
    await preview().getByText('山田 花子様、ポイント残高は1200ポイントです。').waitFor();
    expect(await page.getByLabel('本文（MJML）', { exact: true }).getAttribute('readonly')).not.toBeNull();
    expect(await page.getByRole('button', { name: '保存', exact: true }).count()).toBe(0);
  });
});
