// Email content: Liquid shared with LINE in the subject, the MJML and the text part (checked when
// a template is saved, with the Liquid line and column; rendered per recipient), and every link of
// a marketing mail through the signed click redirect, against the in-process SMTP server.
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rewriteEmailLinks } from '../src/email/email-links.ts';
import { content, createEmailBed, type EmailBed, PUBLIC_URL, type Shop } from './email-setup.ts';
import { headerValue } from './email-sink.ts';

let bed: EmailBed;
beforeAll(async () => {
  bed = await createEmailBed();
});
afterAll(async () => {
  await bed?.close();
});

const mjml = (body: string) =>
  `<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n<mj-text>\n${body}\n</mj-text>\n</mj-column>\n</mj-section>\n</mj-body>\n</mjml>`;

const NEWSLETTER = mjml(
  [
    '<p>{{ customer.given_name | default: "お客" }}様、いつもありがとうございます。</p>',
    '<p>ポイント残高: {{ customer.points }}pt</p>',
    '{% for p in recommendations limit:3 %}<p>{{ p.name }}</p>{% endfor %}',
    '<p><a href="https://shop.example.jp/menu?a=1&amp;b=2">冬の新作</a></p>',
  ].join('\n'),
);

async function saveTemplate(shop: Shop, payload: Record<string, unknown>) {
  return bed.t.app.inject({ method: 'POST', url: '/v1/email/templates', headers: shop.auth, payload });
}

async function name(shop: Shop, id: number, given: string) {
  await sql`update customer set given_name = ${given} where workspace_id = ${shop.ws} and id = ${id}`.execute(
    bed.t.database.db,
  );
}

describe('Liquid in email templates', () => {
  it('refuses bad Liquid at save time naming the field, the line and the column, beside MJML errors', async () => {
    const shop = await bed.shop([]);
    const response = await saveTemplate(shop, {
      name: 'bad',
      subject: '{{ customer.given_name }様',
      mjml: mjml('<p>{{ customer.givn_name }}様</p>').replace('<mj-column>', '<mj-colum>'),
    });
    expect(response.statusCode).toBe(400);
    const problems = response.json().error.problems as { path: string; message: string }[];
    // The Liquid syntax error and the MJML error, both listed.
    expect(problems.map((p) => p.path).sort()).toEqual(['mjml', 'subject']);
    expect(problems.find((p) => p.path === 'subject')!.message).toMatch(
      /^Liquid line 1, column \d+: .+ \(syntax\)$/,
    );
    expect(problems.find((p) => p.path === 'mjml')!.message).toMatch(/^line 4: Element mj-colum /);
    const error = await saveTemplate(shop, {
      name: 'bad',
      subject: 'こんにちは',
      mjml: mjml('<p>{{ customer.givn_name }}様</p>'),
    });
    expect(error.statusCode).toBe(400);
    expect(error.json().error.message).toBe(
      'mjml: Liquid line 6, column 7: undefined variable: customer.givn_name (synthetic customer 1)',
    );
    const syntax = await saveTemplate(shop, { name: 'bad', subject: '{% if %}', mjml: mjml('<p>x</p>') });
    expect(syntax.json().error.message).toBe(
      'subject: Liquid line 1, column 6: invalid value expression: "" (syntax)',
    );
  });

  it('previews a template for the given customer: name, points, escaped in HTML, raw in text', async () => {
    const shop = await bed.shop(['hanako@example.com', 'evil@example.com']);
    await name(shop, shop.ids[0]!, '花子');
    await name(shop, shop.ids[1]!, '<b>太郎</b>');
    const saved = await saveTemplate(shop, {
      name: 'メルマガ',
      subject: '{{ customer.given_name | default: "お客" }}様へ冬の新作',
      mjml: NEWSLETTER,
    });
    expect(saved.statusCode, saved.body).toBe(201);
    const preview = async (customerId: number) =>
      (
        await bed.t.app.inject({
          method: 'POST',
          url: `/v1/email/templates/${saved.json().id}/preview`,
          headers: shop.auth,
          payload: { customerId },
        })
      ).json();
    const hanako = await preview(shop.ids[0]!);
    expect(hanako.subject).toBe('花子様へ冬の新作');
    expect(hanako.html).toContain('花子様、いつもありがとうございます。');
    expect(hanako.html).toContain('ポイント残高: 0pt');
    expect(hanako.text).toContain('花子様、いつもありがとうございます。');
    // The preview makes no tracked links.
    expect(hanako.html).toContain('href="https://shop.example.jp/menu?a=1&amp;b=2"');
    const evil = await preview(shop.ids[1]!);
    expect(evil.html).toContain('&lt;b&gt;太郎&lt;/b&gt;様');
    expect(evil.html).not.toContain('<b>太郎</b>');
    expect(evil.text).toContain('<b>太郎</b>様');
  });

  it('previews an unsaved template for the sample customer or a given one, refusing what a save refuses', async () => {
    const shop = await bed.shop(['hanako@example.com']);
    await name(shop, shop.ids[0]!, '花子');
    const other = await bed.shop(['other@example.com']);
    const draft = (payload: Record<string, unknown>, auth = shop.auth) =>
      bed.t.app.inject({ method: 'POST', url: '/v1/email/templates/preview', headers: auth, payload });
    const body = { name: '下書き', subject: '{{ customer.given_name }}様へ', mjml: NEWSLETTER };
    // No customer: the sample customer (山田 花子, 1,200 points, recommendations), no address.
    const sample = await draft(body);
    expect(sample.statusCode, sample.body).toBe(200);
    expect(sample.json()).toMatchObject({ to: null, subject: '花子様へ' });
    expect(sample.json().html).toContain('ポイント残高: 1200pt');
    expect(sample.json().html).toContain('サンプル商品A');
    // Marketing mail carries the specified-mail footer (the sender's address), as a send would.
    expect(sample.json().text).toContain('東京都渋谷区神南1-2-3');
    const real = await draft({ ...body, customerId: shop.ids[0] });
    expect(real.json()).toMatchObject({ to: 'hanako@example.com', subject: '花子様へ' });
    expect(real.json().html).toContain('ポイント残高: 0pt');
    // Nothing was saved.
    const list = await bed.t.app.inject({ url: '/v1/email/templates', headers: shop.auth });
    expect(list.json().items).toEqual([]);

    const bad = await draft({ ...body, mjml: mjml('<p>{{ customer.givn_name }}様</p>') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.problems).toEqual([
      {
        path: 'mjml',
        message: 'Liquid line 6, column 7: undefined variable: customer.givn_name (synthetic customer 1)',
      },
    ]);
    // Another workspace's customer is not found here.
    expect((await draft({ ...body, customerId: shop.ids[0] }, other.auth)).statusCode).toBe(404);
  });

  it('refuses a second template of the same name as a conflict naming the field (it was a 500)', async () => {
    const shop = await bed.shop([]);
    const body = { name: '冬のメルマガ', subject: '冬の新作', mjml: mjml('<p>冬</p>') };
    expect((await saveTemplate(shop, body)).statusCode).toBe(201);
    const other = await saveTemplate(shop, { ...body, name: '夏のメルマガ' });
    for (const response of [
      await saveTemplate(shop, body),
      await bed.t.app.inject({
        method: 'PUT',
        url: `/v1/email/templates/${other.json().id}`,
        headers: shop.auth,
        payload: body,
      }),
    ]) {
      expect(response.statusCode, response.body).toBe(409);
      expect(response.json().error.problems).toEqual([
        { path: 'name', message: 'another template has this name' },
      ]);
    }
  });

  it('refuses given content with bad Liquid naming content.html', async () => {
    const shop = await bed.shop(['x@example.com']);
    const response = await bed.t.app.inject({
      method: 'POST',
      url: '/v1/email/sends',
      headers: shop.auth,
      payload: {
        idempotencyKey: 'bad',
        customerIds: shop.ids,
        content: { ...content, html: '<p>\n{{ coupon.cod }}</p>' },
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(
      /^content\.html: Liquid line 2, column 4: undefined variable: coupon\.cod/,
    );
  });
});

describe('rewriteEmailLinks', () => {
  it('rewrites anchors and text URLs (decoding &amp;, stopping at Japanese punctuation), not images', () => {
    const seen: string[] = [];
    const out = rewriteEmailLinks(
      {
        type: 'email',
        subject: 's',
        html: '<a class="b" href="https://x.jp/a?p=1&amp;q=2">a</a><img src="https://x.jp/i.png"><a href=\'http://x.jp/b\'>b</a>',
        text: 'メニューはhttps://x.jp/menu。詳細 (https://x.jp/d)',
      },
      (u) => {
        seen.push(u);
        return `R${seen.length}`;
      },
    );
    expect(seen).toEqual(['https://x.jp/a?p=1&q=2', 'http://x.jp/b', 'https://x.jp/menu', 'https://x.jp/d']);
    expect(out.html).toBe('<a class="b" href="R1">a</a><img src="https://x.jp/i.png"><a href=\'R2\'>b</a>');
    expect(out.text).toBe('メニューはR3。詳細 (R4)');
  });
});

describe('each recipient gets their own mail, with tracked links', () => {
  it('renders per customer and records a click through the redirect under the send origin', async () => {
    const shop = await bed.shop(['hana@example.com', 'ken@example.com']);
    await name(shop, shop.ids[0]!, '花');
    await name(shop, shop.ids[1]!, '健');
    const saved = await saveTemplate(shop, {
      name: 'n',
      subject: '{{ customer.given_name }}様',
      mjml: NEWSLETTER,
    });
    const { id } = await bed.send(shop.auth, {
      idempotencyKey: 'news-1',
      customerIds: shop.ids,
      templateId: saved.json().id,
      origin: 'campaign:7/A',
    });
    expect(await bed.deliver(shop.ws, id)).toBe('done');
    const [mail] = bed.mailTo('hana@example.com');
    const parsed = await simpleParser(mail!.raw);
    expect(parsed.subject).toBe('花様');
    expect(parsed.html).toContain('花様、いつもありがとうございます。');
    expect((await simpleParser(bed.mailTo('ken@example.com')[0]!.raw)).subject).toBe('健様');
    // The content link goes through the redirect, in both parts; unsubscribe and pixel do not.
    const html = String(parsed.html);
    expect(html).not.toContain('https://shop.example.jp/menu');
    expect(parsed.text).not.toContain('https://shop.example.jp/menu');
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    const tracked = links.filter((l) => l.startsWith(`${PUBLIC_URL}/r/`));
    expect(tracked).toHaveLength(1);
    expect(parsed.text).toContain(tracked[0]);
    expect(links.some((l) => l.startsWith(`${PUBLIC_URL}/u/`))).toBe(true);
    expect(headerValue(mail!.raw, 'List-Unsubscribe')).toContain(`${PUBLIC_URL}/u/`);
    expect(html).toMatch(new RegExp(`src="${PUBLIC_URL}/o/[A-Za-z0-9_.-]+\\.gif"`));
    const click = await bed.t.app.inject({ method: 'GET', url: tracked[0]!.slice(PUBLIC_URL.length) });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://shop.example.jp/menu?a=1&b=2');
    const { rows } = await sql<{ customer_id: number; origin: string }>`
      select c.customer_id, l.origin from link_click c
      join tracked_link l on l.workspace_id = c.workspace_id and l.id = c.link_id
      where c.workspace_id = ${shop.ws}`.execute(bed.t.database.db);
    expect(rows.map((r) => ({ ...r, customer_id: Number(r.customer_id) }))).toEqual([
      { customer_id: shop.ids[0], origin: 'campaign:7/A' },
    ]);
    // The same key again is the same send (found before anything is rendered again).
    const again = await bed.send(shop.auth, {
      idempotencyKey: 'news-1',
      customerIds: shop.ids,
      templateId: saved.json().id,
      origin: 'campaign:7/A',
    });
    expect(again.id).toBe(id);
    // Ken's link names Ken: the same URL, another token.
    const ken = String((await simpleParser(bed.mailTo('ken@example.com')[0]!.raw)).html);
    expect(ken).toContain(`${PUBLIC_URL}/r/`);
    expect(ken).not.toContain(tracked[0]);
  });

  it('leaves the links of a transactional mail as they are', async () => {
    const shop = await bed.shop(['order@example.com'], [null]);
    const { id } = await bed.send(shop.auth, {
      idempotencyKey: 'order-1',
      customerIds: shop.ids,
      kind: 'transactional',
      content: { ...content, html: '<p><a href="https://shop.example.jp/orders/1">ご注文</a></p>' },
    });
    expect(await bed.deliver(shop.ws, id)).toBe('done');
    const parsed = await simpleParser(bed.mailTo('order@example.com')[0]!.raw);
    expect(parsed.html).toContain('href="https://shop.example.jp/orders/1"');
    expect(parsed.html).not.toContain('/r/');
  });
});

describe('who may write templates', () => {
  it('lets marketers write them, as they write journeys and campaigns; staff and viewers only read', async () => {
    const shop = await bed.shop([]);
    const asRole = (role: string) => bed.asRole(shop, role);
    const mjml =
      '<mjml><mj-body><mj-section><mj-column><mj-text>冬の新作</mj-text></mj-column></mj-section></mj-body></mjml>';
    const create = (headers: Record<string, string>, name: string) =>
      bed.t.app.inject({
        method: 'POST',
        url: '/v1/email/templates',
        headers,
        payload: { name, subject: '冬の新作', mjml, kind: 'marketing' },
      });
    const marketer = await asRole('marketer');
    const made = await create(marketer, 'マーケターの案内');
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id as number;
    const changed = await bed.t.app.inject({
      method: 'PUT',
      url: `/v1/email/templates/${id}`,
      headers: marketer,
      payload: { name: 'マーケターの案内', subject: '冬の新作のお知らせ', mjml, kind: 'marketing' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    for (const role of ['staff', 'viewer']) {
      const headers = await asRole(role);
      const refused = await create(headers, `${role}の案内`);
      expect(refused.statusCode, role).toBe(403);
      expect(refused.json().error.message).toBe('this needs the "send" scope');
      expect((await bed.t.app.inject({ url: `/v1/email/templates/${id}`, headers })).statusCode, role).toBe(
        200,
      );
    }
  });
});
