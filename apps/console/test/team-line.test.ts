// Issue #16 items 3 and 8 in a real browser against the real server and the LINE sandbox: invite
// a member and change their role; create an API key, see it once, revoke it; list my sessions;
// connect a LINE channel, copy its webhook URL and check the connection; create a rich menu with
// an image and tap areas, linked to a segment and made the default, and find it on the sandbox.
// axe-core on every page; 1280×800 screenshots in Japanese, and the editor at a 768 px tablet.
import { type LineSandbox, startLineSandbox } from '@kizuna/line-sandbox';
import { messagingApi } from '@line/bot-sdk';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAsNewUser, tokenOf } from '../../server/test/auth-helpers.ts';
import { createTestApp, type TestApp } from '../../server/test/helpers.ts';
import { SANDBOX_HOSTS } from '../../server/test/line-setup.ts';
import { type Browser, launchBrowser, screenshot, seriousViolations } from './browser.ts';
import { freePort, menuPng } from './line-fixtures.ts';

const ACCESS_TOKEN = 'console-access-token-0001';
let t: TestApp;
let line: LineSandbox;
let url: string;
let browser: Browser;
let page: Page;
let segmentId: number;

async function inject(method: 'GET' | 'POST', path: string, payload?: object, headers = t.auth) {
  const res = await t.app.inject({ method, url: path, headers, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
}

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  t = await createTestApp({ lineHosts: SANDBOX_HOSTS, publicUrl: url });
  await t.app.listen({ host: '127.0.0.1', port });
  line = await startLineSandbox({
    seed: 16,
    channelSecret: 'console-channel-secret',
    requireTokens: [ACCESS_TOKEN],
  });
  await inject('POST', '/v1/customers', {
    customers: [{ email: 'hanako@example.jp', familyName: '山田', givenName: '花子' }],
  });
  const segment = await inject('POST', '/v1/segments', {
    name: 'LINE 友だち限定',
    definition: { aggregate: { of: 'orders', measure: 'count' }, op: 'gte', value: 0 },
  });
  segmentId = segment.id as number;
  browser = await launchBrowser();
  page = browser.page;
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
});

afterAll(async () => {
  await browser?.close();
  await line?.close();
  await t?.close();
});

async function check(name: string) {
  // The pointer off every button: axe should judge the colours at rest, not under hover.
  await page.mouse.move(0, 799);
  await page.waitForLoadState('networkidle');
  await screenshot(page, name);
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

async function choose(combobox: string, option: string) {
  await page.getByRole('combobox', { name: combobox, exact: true }).click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option')
    .filter({ hasText: option })
    .first()
    .click();
}

// Strings, not functions: this test file is compiled without the DOM's types.
/** A page from the side menu (a page may link to another with the same name). */
const openMenu = (name: string) =>
  page.getByRole('navigation').getByRole('link', { name, exact: true }).click();

const clipboard = () => page.evaluate<string>('navigator.clipboard.readText()');

describe('team, API keys and sessions', () => {
  it('signs in as the owner', async () => {
    await page.goto(url);
    await page.getByLabel('メールアドレス').fill(t.workspace.ownerEmail);
    await page.getByLabel('パスワード').fill(t.workspace.ownerPassword!);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByRole('heading', { name: 'ダッシュボード' }).waitFor();
  });

  it('invites a member with a role, shows the link once, and changes the role after they join', async () => {
    await openMenu('チーム');
    await page.getByRole('heading', { name: 'チーム', level: 1 }).waitFor();
    await page.getByText('招待中の人はいません').waitFor();
    await page.getByLabel('メールアドレス').fill('misaki@example.jp');
    await choose('権限', 'マーケター');
    await page.getByRole('button', { name: '招待リンクを発行' }).click();
    const link = page.getByRole('textbox', { name: '招待リンク' });
    await link.waitFor();
    const inviteUrl = await link.inputValue();
    expect(inviteUrl).toMatch(/#token=/);
    await page.getByRole('row').filter({ hasText: 'misaki@example.jp' }).getByText('マーケター').waitFor();
    await check('team-01-invited');

    // The invited person sets their password with the link; they are then a member.
    const joined = await acceptAsNewUser(t.app, tokenOf(inviteUrl), 'Misaki-no-Kizuna-2026');
    expect(joined.userId).toMatch(/[0-9a-f-]{36}/);
    await page.reload();
    await choose('misaki@example.jp の権限', '閲覧者');
    await page.getByText('misaki@example.jp の権限を「閲覧者」に変更しました').waitFor();
    const members = (await inject('GET', '/v1/members')).items as { email: string; role: string }[];
    expect(members.find((m) => m.email === 'misaki@example.jp')?.role).toBe('viewer');
    await check('team-02-role-changed');
  });

  it('creates an API key, shows its secret once with a warning, and revokes it after confirmation', async () => {
    await openMenu('API キー');
    await page.getByRole('heading', { name: 'API キー', level: 1 }).waitFor();
    await page.getByLabel('名前').fill('POS 連携');
    await page.getByRole('checkbox', { name: /ingest/ }).check();
    await page.getByRole('button', { name: '作成する' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('このキーはこの一度しか表示されません').waitFor();
    const token = await dialog.getByRole('textbox', { name: 'API キー（この一度だけ表示）' }).inputValue();
    await dialog.getByRole('button', { name: 'コピー', exact: true }).click();
    await dialog.getByRole('button', { name: /コピーしました/ }).waitFor();
    expect(await clipboard()).toBe(token);
    await check('keys-01-secret-once');
    // It is the real key: it reads this workspace's customers.
    const auth = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ method: 'GET', url: '/v1/customers', headers: auth })).statusCode).toBe(200);
    await dialog.getByRole('button', { name: 'コピーして保管しました' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(token);
    const row = page.getByRole('row').filter({ hasText: 'POS 連携' });
    await row.getByText('有効').waitFor();
    expect(await row.getByText('ingest').count()).toBe(1);
    await check('keys-02-list');
    await row.getByRole('button', { name: '無効にする: POS 連携' }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '無効にする' }).click();
    await row.getByText(/^無効（/).waitFor();
    expect((await t.app.inject({ method: 'GET', url: '/v1/customers', headers: auth })).statusCode).toBe(401);
  });

  it('lists my sessions with this device marked', async () => {
    await openMenu('ログイン中の端末');
    await page.getByRole('heading', { name: 'ログイン中の端末' }).waitFor();
    await page
      .getByRole('row')
      .filter({ hasText: 'この端末' })
      .getByText(/Chrome|Chromium/)
      .waitFor();
    await check('sessions-01');
  });
});

describe('LINE setup and the rich menu editor', () => {
  let channelId: string;

  it('connects a channel, copies the webhook URL and checks the connection', async () => {
    await openMenu('LINE 設定');
    await page.getByText('LINE チャネルはまだ接続されていません').waitFor();
    await check('line-01-empty');
    await page.getByLabel('チャネル ID').fill('1650000016');
    await page.getByLabel('表示名（任意）').fill('絆カフェ 公式');
    await page.getByLabel('チャネルシークレット').fill('console-channel-secret');
    await page.getByLabel('チャネルアクセストークン（長期）').fill(ACCESS_TOKEN);
    await page.getByRole('button', { name: '詳細設定（検証用サンドボックスなど）' }).click();
    await page.getByLabel('API のベース URL').fill(line.url);
    await page.getByRole('button', { name: '保存して接続' }).click();
    await page.getByRole('heading', { name: '絆カフェ 公式' }).waitFor();
    // Saved secrets are never shown again: only their last 4 characters.
    expect(await page.content()).not.toContain(ACCESS_TOKEN);
    await page.getByText('••••0001').waitFor();

    const webhook = await page.getByRole('textbox', { name: 'Webhook URL' }).inputValue();
    channelId = webhook.split('/').pop()!;
    expect(webhook).toBe(`${url}/line/webhook/${channelId}`);
    await page.getByRole('button', { name: 'コピー', exact: true }).click();
    expect(await clipboard()).toBe(webhook);
    // The owner pastes it into the LINE Developers console (the sandbox's webhook endpoint API).
    line.configure({ webhookUrl: webhook });
    await page.getByRole('button', { name: '接続を確認' }).click();
    await page.getByText('アクセストークン：有効（Kizuna LINE sandbox @sandbox）').waitFor();
    await page.getByText('Webhook：LINE から Kizuna に届きました（200）').waitFor();
    await page.getByText('LINE 側の Webhook URL：この URL が設定されています').waitFor();
    await check('line-02-connected');
  });

  it('creates a rich menu from a template with an image, actions, a segment and the default, and LINE has it', async () => {
    await openMenu('リッチメニュー');
    await page.getByText('リッチメニューはまだありません').waitFor();
    await check('richmenu-01-empty');
    await page.getByRole('button', { name: 'リッチメニューを作成' }).click();
    await page.getByRole('heading', { name: 'リッチメニューを作成' }).waitFor();
    await page.getByLabel('管理用の名前').fill('冬のメニュー');
    await page.getByLabel('メニューバーのテキスト（14文字まで）').fill('メニューを開く');
    // The large size's six-area template is the first; the image must be 2500×1686.
    await page
      .getByLabel(/画像（PNG/)
      .setInputFiles({ name: 'menu.png', mimeType: 'image/png', buffer: menuPng(2500, 1686) });
    const actions = [
      ['uri', 'ショップ', 'https://shop.example.jp/'],
      ['message', 'クーポン', 'クーポンを見せて'],
      ['postback', '会員証', 'action=member-card'],
      ['uri', '電話', 'tel:0312345678'],
      ['message', '予約', '予約したい'],
      ['uri', 'アクセス', 'https://shop.example.jp/access'],
    ] as const;
    const typeNames = {
      uri: 'リンク（URL）を開く',
      message: 'メッセージを送る',
      postback: 'ポストバック（データを送る）',
    };
    const valueNames = {
      uri: 'URL（https:// または tel:）',
      message: '送るメッセージ（300文字まで）',
      postback: 'データ（300文字まで）',
    };
    for (const [i, [type, label, value]] of actions.entries()) {
      const area = `領域 ${'ABCDEF'[i]}`;
      if (type !== 'uri') await choose(`${area} 種類`, typeNames[type]);
      await page.getByRole('textbox', { name: `${area} ラベル（20文字まで）` }).fill(label);
      await page.getByRole('textbox', { name: `${area} ${valueNames[type]}` }).fill(value);
    }
    await choose('セグメント（任意）', 'LINE 友だち限定');
    await page.getByLabel('優先度（−1000〜1000）').fill('10');
    await page.getByRole('checkbox', { name: '全員のデフォルトにする' }).check();
    // The preview draws the six areas over the image, with the chat bar's text under it.
    expect(await page.locator('.kz-rm-area').count()).toBe(6);
    await page.locator('.kz-rm-bar').getByText('メニューを開く').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await check('richmenu-02-editor');

    // A 768 px tablet: the preview moves under the form and nothing runs off the side.
    await page.setViewportSize({ width: 768, height: 1024 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(768);
    await screenshot(page, 'richmenu-03-editor-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole('button', { name: '保存して LINE に反映' }).click();
    // Back on the list, or an error on the editor that names what failed.
    const list = page.getByRole('heading', { name: 'リッチメニュー', level: 1, exact: true });
    const failed = page.locator('.ant-alert-error, .ant-form-item-explain-error');
    await list.or(failed).first().waitFor();
    expect(await failed.allTextContents()).toEqual([]);
    const row = page.getByRole('row').filter({ hasText: '冬のメニュー' });
    await row.getByText('デフォルト', { exact: true }).waitFor();
    await row.getByText('LINE 友だち限定').waitFor();
    await check('richmenu-04-list');

    // What LINE (the sandbox) holds, asked through the official SDK.
    const client = new messagingApi.MessagingApiClient({
      channelAccessToken: ACCESS_TOKEN,
      baseURL: line.url,
    });
    const onLine = (await client.getRichMenuList()).richmenus;
    expect(onLine).toHaveLength(1);
    const menu = onLine[0]!;
    expect(menu).toMatchObject({
      name: '冬のメニュー',
      chatBarText: 'メニューを開く',
      size: { width: 2500, height: 1686 },
    });
    expect(menu.areas.map((a) => a.action)).toEqual([
      { type: 'uri', label: 'ショップ', uri: 'https://shop.example.jp/' },
      { type: 'message', label: 'クーポン', text: 'クーポンを見せて' },
      { type: 'postback', label: '会員証', data: 'action=member-card', displayText: '会員証' },
      { type: 'uri', label: '電話', uri: 'tel:0312345678' },
      { type: 'message', label: '予約', text: '予約したい' },
      { type: 'uri', label: 'アクセス', uri: 'https://shop.example.jp/access' },
    ]);
    // Six areas that tile the image exactly.
    expect(menu.areas.map((a) => a.bounds)).toEqual([
      { x: 0, y: 0, width: 833, height: 843 },
      { x: 833, y: 0, width: 834, height: 843 },
      { x: 1667, y: 0, width: 833, height: 843 },
      { x: 0, y: 843, width: 833, height: 843 },
      { x: 833, y: 843, width: 834, height: 843 },
      { x: 1667, y: 843, width: 833, height: 843 },
    ]);
    expect((await client.getDefaultRichMenuId()).richMenuId).toBe(menu.richMenuId);
    const stored = (await inject('GET', '/v1/line/rich-menus')).items as {
      imageUploaded: boolean;
      segmentId: number;
      priority: number;
    }[];
    expect(stored).toEqual([expect.objectContaining({ imageUploaded: true, segmentId, priority: 10 })]);
  });

  it('refuses an image of the wrong size before anything is sent, naming the size', async () => {
    await page.getByRole('button', { name: 'リッチメニューを作成' }).click();
    await page
      .getByLabel(/画像（PNG/)
      .setInputFiles({ name: 'small.png', mimeType: 'image/png', buffer: menuPng(1200, 810) });
    await page.getByText('画像は 2500×1686 にしてください（選んだ画像は 1200×810）').waitFor();
  });
});

describe('screens and buttons follow the role', () => {
  it('a viewer sees no team or API keys, and LINE setup and rich menus without their buttons', async () => {
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.getByLabel('メールアドレス').fill('misaki@example.jp');
    await page.getByLabel('パスワード').fill('Misaki-no-Kizuna-2026');
    await page.getByRole('button', { name: 'ログイン' }).click();
    // Signed in where the owner logged out (the rich menu list); the menu is the viewer's.
    await page.locator('.ant-tag').filter({ hasText: '閲覧者' }).waitFor();
    const nav = page.getByRole('navigation');
    await nav.getByRole('link', { name: 'ログイン中の端末' }).waitFor();
    expect(await nav.getByRole('link', { name: 'チーム' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'API キー' }).count()).toBe(0);
    await openMenu('LINE 設定');
    await page.getByRole('heading', { name: '絆カフェ 公式' }).waitFor();
    expect(await page.getByRole('button', { name: '接続を確認' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: '保存して接続' }).count()).toBe(0);
    await openMenu('リッチメニュー');
    await page.getByRole('row').filter({ hasText: '冬のメニュー' }).waitFor();
    expect(await page.getByRole('button', { name: 'リッチメニューを作成' }).count()).toBe(0);
    // A typed address is answered by the shell's refusal, not the editor.
    await page.goto(`${url}/api-keys`);
    await page.getByText('この画面を開く権限がありません').waitFor();
  });
});
