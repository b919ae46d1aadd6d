// An email campaign end to end against an in-process SMTP server: 20% holdout, A/B variants (inline
// MJML with Liquid, and a saved template), "send now" pressed twice; the holdout is never mailed,
// everyone else gets one mail at their own address; opens and clicks through the signed URLs and
// an order are counted per variant, with the lift beside the holdout and a cost of ¥0.
import { until } from '@kizuna/test-support';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_JOBS } from '../src/campaigns/campaign-jobs.ts';
import { inHoldout } from '../src/campaigns/experiment-buckets.ts';
import { campaignExperimentId } from '../src/campaigns/send-campaign.ts';
import { EMAIL_JOBS } from '../src/email/email-jobs.ts';
import { addOrder } from './campaigns-fixture.ts';
import { createEmailBed, type EmailBed, PUBLIC_URL } from './email-setup.ts';
import { headerValue } from './email-sink.ts';

let bed: EmailBed;
// The campaign job without its every-minute schedule: the test decides when anything runs.
const jobs = [...EMAIL_JOBS, ...CAMPAIGN_JOBS.map(({ schedule: _, ...job }) => job)];

beforeAll(async () => {
  bed = await createEmailBed({ jobs });
});
afterAll(async () => bed?.close());

const MJML = (body: string) =>
  `<mjml><mj-body><mj-section><mj-column><mj-text>${body}</mj-text></mj-column></mj-section></mj-body></mjml>`;
const url = (path: string) => new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}(/${path}/[A-Za-z0-9_.-]+)`);

describe('an email campaign (メルマガ一斉配信) with a 20% holdout and two variants', () => {
  it('never mails the holdout, mails everyone else once, and counts opens, clicks and conversions per variant', async () => {
    const emails = Array.from({ length: 60 }, (_, i) => `c${i}@camp${i % 7}.example`);
    const shop = await bed.shop(emails);
    const api = (method: 'GET' | 'POST', path: string, payload?: object) =>
      bed.t.app.inject({ method, url: path, headers: shop.auth, ...(payload ? { payload } : {}) });
    const template = await api('POST', '/v1/email/templates', {
      name: '冬の新作',
      subject: '冬の新作のご案内',
      mjml: MJML('<a href="https://shop.example.jp/winter">冬の新作を見る</a>'),
    });
    expect(template.statusCode, template.body).toBe(201);
    const created = await api('POST', '/v1/campaigns', {
      name: '冬のメルマガ',
      channel: 'email',
      audience: { customerIds: shop.ids },
      holdoutPercent: 20,
      variants: [
        {
          key: 'A',
          email: {
            subject: '{{ customer.given_name | default: "お客" }}様へ 冬のセール',
            mjml: MJML('セール開催中 <a href="https://shop.example.jp/sale">セールを見る</a>'),
          },
        },
        { key: 'B', email: { templateId: template.json().id } },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ channel: 'email', channelId: shop.sender.id, holdoutPercent: 20 });
    const id = created.json().id as number;
    for (let i = 0; i < 2; i++) expect((await api('POST', `/v1/campaigns/${id}/send`)).statusCode).toBe(200);
    await until(async () => (await api('GET', `/v1/campaigns/${id}`)).json().status === 'sent', 'sent', {
      timeoutMs: 60_000,
    });
    const campaign = (await api('GET', `/v1/campaigns/${id}`)).json();
    for (const v of campaign.variants)
      await until(
        async () => (await api('GET', `/v1/email/sends/${v.sendId}`)).json().status === 'done',
        `email send ${v.key} done`,
        { timeoutMs: 60_000 },
      );

    const held = shop.ids.filter((c) => inHoldout(campaignExperimentId(shop.ws, id), c, 20));
    expect(held.length).toBeGreaterThan(3);
    expect(held.length).toBeLessThan(25);
    const recipients = (await api('GET', `/v1/campaigns/${id}/recipients?decision=holdout&limit=100`)).json();
    expect(recipients.items.map((r: { customerId: number }) => r.customerId)).toEqual(held);
    const heldSet = new Set(held);
    const mailsOf = (i: number) => bed.sink.accepted.filter((m) => m.to[0] === emails[i]);
    for (const [i, customerId] of shop.ids.entries())
      expect(mailsOf(i), `${emails[i]} ${heldSet.has(customerId) ? 'held out' : 'treated'}`).toHaveLength(
        heldSet.has(customerId) ? 0 : 1,
      );

    // One A recipient opens and clicks, one B recipient clicks; an A recipient orders.
    const variantOf = new Map<number, string>();
    const all = (await api('GET', `/v1/campaigns/${id}/recipients?limit=100`)).json().items;
    for (const r of all) variantOf.set(r.customerId, r.variant);
    const a = shop.ids.findIndex((c) => variantOf.get(c) === 'A');
    const b = shop.ids.findIndex((c) => variantOf.get(c) === 'B');
    const mailA = await simpleParser(mailsOf(a)[0]!.raw);
    expect(mailA.subject).toBe('お客様へ 冬のセール');
    expect(headerValue(mailsOf(a)[0]!.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect((await simpleParser(mailsOf(b)[0]!.raw)).subject).toBe('冬の新作のご案内');
    const htmlA = String(mailA.html);
    const htmlB = String((await simpleParser(mailsOf(b)[0]!.raw)).html);
    expect((await bed.t.app.inject({ url: url('o').exec(htmlA)![1]! })).statusCode).toBe(200);
    const clickA = await bed.t.app.inject({ url: url('r').exec(htmlA)![1]! });
    expect(clickA.headers.location).toBe('https://shop.example.jp/sale');
    const clickB = await bed.t.app.inject({ url: url('r').exec(htmlB)![1]! });
    expect(clickB.headers.location).toBe('https://shop.example.jp/winter');
    const sentAt = new Date(campaign.sentAt).getTime();
    await addOrder(
      bed.t.database.db,
      shop.ws,
      shop.ids[a]!,
      new Date(sentAt + 86_400_000).toISOString(),
      ['X'],
      {
        amount: 3000,
      },
    );

    const results = (await api('GET', `/v1/campaigns/${id}/results`)).json();
    expect(results.channel).toBe('email');
    const group = (g: string) => results.groups.find((x: { group: string }) => x.group === g);
    const treated = shop.ids.length - held.length;
    expect(group('all')).toMatchObject({
      audience: treated,
      sent: treated,
      delivered: treated,
      opened: 1,
      clicked: 2,
      converted: 1,
      revenue: 3000,
      billedMessages: 0,
      costYen: 0,
    });
    expect(group('A')).toMatchObject({ opened: 1, clicked: 1, converted: 1, costYen: 0 });
    expect(group('B')).toMatchObject({ opened: 0, clicked: 1, converted: 0 });
    expect(group('A').audience + group('B').audience).toBe(treated);
    expect(group('holdout')).toMatchObject({ audience: held.length, sent: 0, opened: 0, clicked: 0 });
    expect(group('all').lift.conversionRate.estimate).toBeCloseTo(1 / treated, 10);
    expect(group('all').revenueLiftPerYen).toBeNull(); // no cost to divide by

    // The shop's relay charges ¥2.5 a mail: the results count it (the sender's yenPerMessage).
    const sender = (await api('GET', '/v1/email/sender')).json();
    expect(sender.yenPerMessage).toBe(0);
    const settings = {
      fromName: sender.fromName,
      fromAddress: sender.fromAddress,
      postalAddress: sender.postalAddress,
      contact: sender.contact,
    };
    const bad = await bed.t.app.inject({
      method: 'PUT',
      url: '/v1/email/sender',
      headers: shop.auth,
      payload: { ...settings, yenPerMessage: 0.12345 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.problems).toEqual([
      { path: 'yenPerMessage', message: 'must be 0 to 1,000 yen with at most 4 decimals' },
    ]);
    const priced = await bed.t.app.inject({
      method: 'PUT',
      url: '/v1/email/sender',
      headers: shop.auth,
      payload: { ...settings, yenPerMessage: 2.5 },
    });
    expect(priced.json().yenPerMessage).toBe(2.5);
    const costed = (await api('GET', `/v1/campaigns/${id}/results`)).json();
    const costedGroup = (g: string) => costed.groups.find((x: { group: string }) => x.group === g);
    expect(costedGroup('all')).toMatchObject({ billedMessages: 0, costYen: Math.round(treated * 2.5) });
    expect(costedGroup('A').costYen).toBe(Math.round(costedGroup('A').delivered * 2.5));
    expect(costedGroup('all').revenueLiftPerYen).toBeCloseTo(
      (costedGroup('all').lift.revenuePerCustomer.estimate * treated) / (treated * 2.5),
      9,
    );
  });

  it('refuses at save an email campaign without a sender, with LINE messages, or with a missing template, naming the field', async () => {
    const shop = await bed.shop(['v1@valid.example']);
    const post = async (auth: { authorization: string }, body: object) => {
      const r = await bed.t.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: auth,
        payload: body,
      });
      expect(r.statusCode, r.body).toBe(400);
      return (r.json().error.problems as { path: string; message: string }[]).map((p) => p.path);
    };
    const base = { name: '検査', channel: 'email', audience: { customerIds: shop.ids } };
    expect(
      await post(shop.auth, { ...base, variants: [{ key: 'A', messages: [{ type: 'text', text: 'x' }] }] }),
    ).toEqual(['variants[0].messages', 'variants[0].email']);
    expect(
      await post(shop.auth, { ...base, variants: [{ key: 'A', email: { templateId: 987_654 } }] }),
    ).toEqual(['variants[0].email.templateId']);
    expect(
      await post(shop.auth, {
        ...base,
        variants: [{ key: 'A', email: { subject: '{{ customer.nick }}様', mjml: MJML('x') } }],
      }),
    ).toEqual(['variants[0].email.subject']);
    // A LINE campaign still needs its channel.
    expect(
      await post(shop.auth, {
        ...base,
        channel: 'line',
        variants: [{ key: 'A', messages: [{ type: 'text', text: 'x' }] }],
      }),
    ).toContain('channelId');
    const { newWorkspace } = await import('./helpers.ts');
    const bare = await newWorkspace(bed.t.database, '送信元なし');
    expect(
      await post(
        { authorization: `Bearer ${bare.apiKey}` },
        { ...base, audience: { customerIds: [1] }, variants: [{ key: 'A', email: { templateId: 1 } }] },
      ),
    ).toContain('channel');
  });
});
