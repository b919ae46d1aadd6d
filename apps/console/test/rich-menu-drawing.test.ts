// Issue #16 item 8, free drawing of tap areas, in a real browser against the real server and the
// LINE sandbox: draw two areas with the mouse, resize one by its corner, type a third with the
// keyboard (a bad number is refused naming the field), be refused an overlap, delete an area
// with the Delete key, save, and find the drawn bounds both in Kizuna's API and on LINE.
// axe-core and a 1280×800 screenshot of the editor with drawn areas.
import { type LineSandbox, startLineSandbox } from '@kizuna/line-sandbox';
import { messagingApi } from '@line/bot-sdk';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../server/test/helpers.ts';
import { SANDBOX_HOSTS } from '../../server/test/line-setup.ts';
import { type Browser, launchBrowser, screenshot, seriousViolations } from './browser.ts';
import { freePort, menuPng } from './line-fixtures.ts';

const ACCESS_TOKEN = 'drawing-access-token-0001';
const IMAGE = { width: 2500, height: 1686 };
let t: TestApp;
let line: LineSandbox;
let url: string;
let browser: Browser;
let page: Page;

interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function api(method: 'GET' | 'PUT', path: string, payload?: object) {
  const res = await t.app.inject({ method, url: path, headers: t.auth, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
}

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  t = await createTestApp({ lineHosts: SANDBOX_HOSTS, publicUrl: url });
  await t.app.listen({ host: '127.0.0.1', port });
  line = await startLineSandbox({
    seed: 8,
    channelSecret: 'drawing-channel-secret',
    requireTokens: [ACCESS_TOKEN],
  });
  await api('PUT', '/v1/line/channels/1650000808', {
    name: '絆カフェ 公式',
    channelSecret: 'drawing-channel-secret',
    accessToken: ACCESS_TOKEN,
    apiBaseUrl: line.url,
    dataApiBaseUrl: line.url,
  });
  browser = await launchBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await line?.close();
  await t?.close();
});

/** The drawing surface's box on screen: where image pixels are. */
async function surface() {
  const box = await page.locator('.kz-rm-surface').boundingBox();
  if (!box) throw new Error('no drawing surface');
  return box;
}

/**
 * A point on the surface at fractions of its width and height, in whole screen pixels, and the
 * image pixel the editor should take it for (computed here from the box, not read from the page).
 */
async function pointAt(fx: number, fy: number) {
  const box = await surface();
  const screen = { x: Math.round(box.x + fx * box.width), y: Math.round(box.y + fy * box.height) };
  const image = {
    x: Math.round(((screen.x - box.x) / box.width) * IMAGE.width),
    y: Math.round(((screen.y - box.y) / box.height) * IMAGE.height),
  };
  return { screen, image };
}

async function drag(from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 6 });
  await page.mouse.up();
}

/** Draws from one fraction of the surface to another; answers the bounds the editor should keep. */
async function draw(from: [number, number], to: [number, number]): Promise<Bounds> {
  // The preview is sticky, but at the page's end it scrolls away with the form.
  await page.evaluate('window.scrollTo(0, 0)');
  const a = await pointAt(...from);
  const b = await pointAt(...to);
  await drag(a.screen, b.screen);
  return { x: a.image.x, y: a.image.y, width: b.image.x - a.image.x, height: b.image.y - a.image.y };
}

const pixels = (area: string, field: string) =>
  page.getByRole('textbox', { name: `領域 ${area} の${field}`, exact: true });

async function boundsInInputs(area: string): Promise<Bounds> {
  const read = async (field: string) => Number(await pixels(area, field).inputValue());
  return {
    x: await read('X（左端）'),
    y: await read('Y（上端）'),
    width: await read('幅'),
    height: await read('高さ'),
  };
}

describe('drawing tap areas on a rich menu', () => {
  let a: Bounds;
  let b: Bounds;
  const c: Bounds = { x: 0, y: 1000, width: 1000, height: 600 };

  it('signs in and opens the editor with no template', async () => {
    await page.goto(url);
    await page.getByLabel('メールアドレス').fill(t.workspace.ownerEmail);
    await page.getByLabel('パスワード').fill(t.workspace.ownerPassword!);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByRole('heading', { name: 'ダッシュボード' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'リッチメニュー', exact: true }).click();
    await page.getByRole('button', { name: 'リッチメニューを作成' }).click();
    await page.getByRole('heading', { name: 'リッチメニューを作成' }).waitFor();
    await page.getByLabel('管理用の名前').fill('手描きのメニュー');
    await page.getByLabel('メニューバーのテキスト（14文字まで）').fill('メニュー');
    await page
      .getByLabel(/画像（PNG/)
      .setInputFiles({ name: 'menu.png', mimeType: 'image/png', buffer: menuPng(IMAGE.width, IMAGE.height) });
    // The template fills six areas; "none" empties the image for drawing.
    expect(await page.locator('.kz-rm-surface .kz-rm-area').count()).toBe(6);
    await page.getByRole('radio', { name: 'なし（自分で描く）' }).check();
    expect(await page.locator('.kz-rm-surface .kz-rm-area').count()).toBe(0);
    await page.evaluate('window.scrollTo(0, 0)');
  });

  it('draws two areas with the mouse, in whole image pixels', async () => {
    a = await draw([0.04, 0.06], [0.46, 0.46]);
    b = await draw([0.54, 0.06], [0.9, 0.4]);
    expect(await page.locator('.kz-rm-surface .kz-rm-area').count()).toBe(2);
    expect(await boundsInInputs('A')).toEqual(a);
    expect(await boundsInInputs('B')).toEqual(b);
    expect(a.width).toBeGreaterThan(900);
    expect(b.x).toBeGreaterThan(a.x + a.width);
  });

  it('resizes an area by its bottom-right corner; the opposite corner stays', async () => {
    await page.getByRole('button', { name: /^領域 B「ラベルなし」/ }).click();
    const handle = await page.locator('.kz-rm-area-selected .kz-rm-handle-se').boundingBox();
    if (!handle) throw new Error('no resize handle on the selected area');
    const to = await pointAt(0.96, 0.92);
    await drag({ x: handle.x + handle.width / 2, y: handle.y + handle.height / 2 }, to.screen);
    b = { x: b.x, y: b.y, width: to.image.x - b.x, height: to.image.y - b.y };
    expect(await boundsInInputs('B')).toEqual(b);
    expect(b.height).toBeGreaterThan(1400);
  });

  it('adds an area typed with the keyboard, naming the field of a bad number', async () => {
    await pixels('C', 'X（左端）').focus();
    await page.keyboard.type(String(c.x));
    await page.keyboard.press('Tab');
    await page.keyboard.type(String(c.y));
    await page.keyboard.press('Tab');
    await page.keyboard.type(String(c.width));
    await page.keyboard.press('Tab');
    await page.keyboard.type('6OO');
    await page.keyboard.press('Enter');
    await page.getByText('領域 C の高さ：0 以上の整数（ピクセル）で入力してください').waitFor();
    expect(await page.locator('.kz-rm-surface .kz-rm-area').count()).toBe(2);
    // Past the image's bottom edge: refused, naming the field and the largest it can be.
    await pixels('C', '高さ').fill('900');
    await page.keyboard.press('Enter');
    await page.getByText('領域 C の高さ：画像の外に出ています。686 以下にしてください').waitFor();
    await pixels('C', '高さ').fill(String(c.height));
    await page.keyboard.press('Enter');
    await page.locator('.kz-rm-surface .kz-rm-area').nth(2).waitFor();
    expect(await boundsInInputs('C')).toEqual(c);
  });

  it('refuses an overlapping area, drawn or typed, saying which area it would cover', async () => {
    // From the free gap between the areas up and left, over A (drawn backwards: same rectangle).
    await draw([0.5, 0.52], [0.3, 0.3]);
    await page.getByRole('alert').filter({ hasText: '領域 Dは領域 Aと重なるため配置できません' }).waitFor();
    expect(await page.locator('.kz-rm-surface .kz-rm-area').count()).toBe(3);
    // Typing A over C is refused as well, and A stays where it was.
    await pixels('A', 'Y（上端）').fill('900');
    await page.keyboard.press('Enter');
    await page.getByText('領域 Aは領域 Cと重なるため配置できません', { exact: false }).waitFor();
    await page
      .getByText('領域 Aは領域 Cと重なるため配置できません', { exact: false })
      .scrollIntoViewIfNeeded();
    await screenshot(page, 'richmenu-06-area-list');
    expect(
      (await page.locator('.kz-rm-surface .kz-rm-area').first().getAttribute('aria-label')) ?? '',
    ).toContain(`Y ${a.y}`);
    await pixels('A', 'Y（上端）').fill(String(a.y));
    await page.keyboard.press('Enter');
  });

  it('deletes a selected area with the Delete key', async () => {
    await draw([0.5, 0.93], [0.6, 0.99]);
    expect(await page.locator('.kz-rm-surface .kz-rm-area').count()).toBe(4);
    await page.getByRole('button', { name: /^領域 D「ラベルなし」/ }).focus();
    await page.keyboard.press('Delete');
    expect(await page.locator('.kz-rm-surface .kz-rm-area').count()).toBe(3);
  });

  it('saves, and Kizuna and LINE hold the drawn bounds', async () => {
    const actions = [
      ['ショップ', 'https://shop.example.jp/'],
      ['予約', 'https://shop.example.jp/reserve'],
      ['電話', 'tel:0312345678'],
    ] as const;
    for (const [i, [label, value]] of actions.entries()) {
      const area = `領域 ${'ABC'[i]}`;
      await page.getByRole('textbox', { name: `${area} ラベル（20文字まで）` }).fill(label);
      await page.getByRole('textbox', { name: `${area} URL（https:// または tel:）` }).fill(value);
    }
    await page.getByRole('button', { name: /^領域 B「予約」/ }).click();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.mouse.move(0, 799);
    await screenshot(page, 'richmenu-05-drawn');
    expect(await seriousViolations(page), 'axe on the drawing editor').toEqual([]);

    await page.getByRole('button', { name: '保存して LINE に反映' }).click();
    const list = page.getByRole('heading', { name: 'リッチメニュー', level: 1, exact: true });
    const failed = page.locator('.ant-alert-error, .ant-form-item-explain-error');
    await list.or(failed).first().waitFor();
    expect(await failed.allTextContents()).toEqual([]);
    await page.getByRole('row').filter({ hasText: '手描きのメニュー' }).waitFor();

    const drawn = [a, b, c];
    const items = (await api('GET', '/v1/line/rich-menus')).items as { id: number }[];
    expect(items).toHaveLength(1);
    const stored = await api('GET', `/v1/line/rich-menus/${items[0]!.id}`);
    const definition = stored.definition as { size: object; areas: { bounds: Bounds }[] };
    expect(definition.size).toEqual(IMAGE);
    expect(definition.areas.map((area) => area.bounds)).toEqual(drawn);

    const client = new messagingApi.MessagingApiClient({
      channelAccessToken: ACCESS_TOKEN,
      baseURL: line.url,
    });
    const onLine = (await client.getRichMenuList()).richmenus;
    expect(onLine).toHaveLength(1);
    expect(onLine[0]!.areas.map((area) => area.bounds)).toEqual(drawn);
    expect(onLine[0]!.areas.map((area) => area.action)).toEqual(
      actions.map(([label, uri]) => ({ type: 'uri', label, uri })),
    );
    // The one expected error: the session probe's 401 before signing in.
    expect(browser.errors.filter((e) => !e.includes('401 (Unauthorized)'))).toEqual([]);
  });
});
