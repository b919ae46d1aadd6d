// Email in journeys, on a simulated clock with the LINE sandbox and an in-process SMTP server: a
// friend-add journey greets on LINE on day 0 and mails on day 3 at 10:00 JST, each customer once,
// at their own address with their name in the subject; a customer without email consent and a
// suppressed address are skipped with the core's reasons; the results count the email step
// (sent, delivered, opened, clicked, ¥0) beside the LINE one; save-time checks name the node.
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EMAIL_JOBS } from '../src/email/email-jobs.ts';
import { closeSmtpTransports } from '../src/email/smtp-transport.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { SimulatedClock } from '../src/shared/clock.ts';
import { addOrder } from './campaigns-fixture.ts';
import { PUBLIC_URL } from './email-setup.ts';
import { headerValue, type MailSink, startMailSink } from './email-sink.ts';
import { lineUserId, newWorkspace } from './helpers.ts';
import {
  JOURNEY_TEST_TIMEOUT,
  jst,
  publishEvents,
  publishJourney,
  runsOf,
  stepsOf,
  text,
  tick,
} from './journeys-helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

vi.setConfig({ testTimeout: JOURNEY_TEST_TIMEOUT });

let bed: LineTestBed;
let sink: MailSink;
beforeAll(async () => {
  sink = await startMailSink();
  const email = { smtp: sink.smtp, publicUrl: PUBLIC_URL };
  bed = await createLineTestBed({}, [...LINE_JOBS, ...EMAIL_JOBS], { publicUrl: PUBLIC_URL, email });
});
afterAll(async () => {
  await bed?.close();
  closeSmtpTransports();
  await sink?.close();
});

const SENDER = {
  fromName: '珈琲 絆',
  fromAddress: 'news@shop.example.jp',
  replyTo: 'support@shop.example.jp',
  postalAddress: '東京都渋谷区神南1-2-3',
  contact: '03-1234-5678 / support@shop.example.jp',
};

/** A workspace of its own with the sandbox's LINE channel and, unless `sender` is false, an email sender. */
async function ownWorkspace(channel: string, sender = true) {
  const workspace = await newWorkspace(bed.database);
  const app = { ...bed, workspace, auth: { authorization: `Bearer ${workspace.apiKey}` } };
  const put = await bed.app.inject({
    method: 'PUT',
    url: `/v1/line/channels/${channel}`,
    headers: app.auth,
    payload: {
      name: 'メールも送る店',
      channelSecret: bed.line.channelSecret,
      accessToken: 'test-access-token-0001',
      apiBaseUrl: bed.line.url,
    },
  });
  expect(put.statusCode, put.body).toBe(200);
  if (sender) {
    const s = await bed.app.inject({
      method: 'PUT',
      url: '/v1/email/sender',
      headers: app.auth,
      payload: SENDER,
    });
    expect(s.statusCode, s.body).toBe(200);
  }
  return app;
}

const MJML = `<mjml><mj-body><mj-section><mj-column><mj-text>
{{ customer.given_name }}様、3日目のおすすめです。<a href="https://shop.example.jp/tips">淹れ方のコツ</a>
</mj-text></mj-column></mj-section></mj-body></mjml>`;

const SUBJECT = '{{ customer.given_name }}様へ：3日目のおすすめ';

const welcome = {
  trigger: { event: 'line.friend_added' },
  reentry: 'never',
  quietHours: 'hold',
  nodes: [
    { id: 'greeting', type: 'send', messages: [text('友だち追加ありがとうございます')], next: 'day3' },
    { id: 'day3', type: 'wait', until: { dayOffset: 3, at: '10:00' }, next: 'mail' },
    {
      id: 'mail',
      type: 'send',
      channel: 'email',
      email: { subject: SUBJECT, mjml: MJML },
      next: 'end',
    },
    { id: 'end', type: 'exit' },
  ],
};

describe('journey email steps (ステップメール)', () => {
  it('sends LINE on day 0 and email on day 3 at 10:00 JST, once each, to the right address; skips no consent and suppressed', async () => {
    const app = await ownWorkspace('1650003101');
    const ws = app.workspace.workspaceId;
    const db = bed.database.db;
    const first = 31_000;
    const ids = await makeFriends(db, ws, first, 4);
    const names = ['花子', '一郎', '次郎', '三郎'];
    const addresses = ids.map((_, i) => `j${i}@mail${i}.jm.example`);
    for (const [i, id] of ids.entries()) {
      await sql`update customer set given_name = ${names[i]!} where workspace_id = ${ws} and id = ${id}`.execute(
        db,
      );
      await sql`insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
        values (${ws}, 'email', '', ${addresses[i]!}, ${id})`.execute(db);
      // The third has no email consent at all; the fourth consented but the address bounced.
      if (i !== 2)
        await sql`insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
          values (${ws}, ${id}, 'email', 'marketing', 'granted', 'test', now())`.execute(db);
    }
    await sql`insert into email_suppression (workspace_id, address, suppressed, reason, updated_at)
      values (${ws}, ${addresses[3]!}, true, 'hard_bounce', now())`.execute(db);

    const journeyId = await publishJourney(app, welcome, 'ウェルカム（LINE＋メール）');
    const clock = new SimulatedClock(jst('2027-04-01T09:00:00'));
    await publishEvents(
      db,
      ws,
      ids.map((customerId, i) => ({
        type: 'line.friend_added' as const,
        customerId,
        payload: { channelId: '1650003101', lineUserId: lineUserId(first + i), refollow: false },
      })),
    );
    expect(await tick(db, ws, clock.now(), bed.jobs, bed.secrets)).toMatchObject({ entered: 4 });
    const greeted = () => ids.every((_, i) => bed.line.received(lineUserId(first + i)).length === 1);
    await until(greeted, 'four LINE greetings', { timeoutMs: 30_000 });
    const mine = () => sink.accepted.filter((m) => m.to.some((t) => t.endsWith('.jm.example')));
    expect(mine()).toEqual([]);

    clock.setTo(jst('2027-04-04T09:59:00'));
    expect((await tick(db, ws, clock.now(), bed.jobs, bed.secrets)).steps).toBe(0);
    clock.setTo(jst('2027-04-04T10:00:00'));
    expect((await tick(db, ws, clock.now(), bed.jobs, bed.secrets)).steps).toBe(8); // mail, exit × 4
    const results = async () => {
      const r = await bed.app.inject({ url: `/v1/journeys/${journeyId}/results`, headers: app.auth });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };
    const mailStep = async () => (await results()).steps.find((s: { nodeId: string }) => s.nodeId === 'mail');
    await until(async () => (await mailStep()).delivered === 2, 'two mails delivered', { timeoutMs: 30_000 });
    // Another pass later sends nothing again: every run has exited.
    clock.setTo(jst('2027-04-08T10:00:00'));
    expect((await tick(db, ws, clock.now(), bed.jobs, bed.secrets)).steps).toBe(0);

    expect(mine().map((m) => m.to)).toEqual(expect.arrayContaining([[addresses[0]], [addresses[1]]]));
    expect(mine()).toHaveLength(2);
    for (const i of [0, 1]) {
      const [mail] = mine().filter((m) => m.to[0] === addresses[i]);
      const parsed = await simpleParser(mail!.raw);
      expect(parsed.subject).toBe(`${names[i]}様へ：3日目のおすすめ`);
      expect(String(parsed.html)).toContain(`${names[i]}様、3日目のおすすめです。`);
      expect(headerValue(mail!.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(headerValue(mail!.raw, 'Feedback-ID')).toMatch(
        new RegExp(`^journey-${journeyId}-v1-node-mail:`),
      );
    }
    const runs = await runsOf(db, ws, journeyId);
    expect(await stepsOf(db, ws, runs[0]!.id)).toEqual([
      'greeting:sent',
      'day3:done',
      'mail:sent',
      'end:done',
    ]);
    expect(bed.line.received(lineUserId(first)).length).toBe(1);

    // Hanako opens the mail and clicks its link, then orders: opened, clicked and converted.
    const html = String((await simpleParser(mine().find((m) => m.to[0] === addresses[0])!.raw)).html);
    const link = new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}(/r/[A-Za-z0-9_.-]+)`).exec(html)![1]!;
    const pixel = new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}(/o/[A-Za-z0-9_.-]+\\.gif)`).exec(html)![1]!;
    const click = await bed.app.inject({ url: link });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://shop.example.jp/tips');
    expect((await bed.app.inject({ url: pixel })).statusCode).toBe(200);
    await addOrder(db, ws, ids[0]!, jst('2027-04-05T12:00:00').toISOString(), ['BLEND-1'], { amount: 2400 });

    const r = await results();
    const byNode = Object.fromEntries(r.steps.map((s: { nodeId: string }) => [s.nodeId, s]));
    expect(byNode.greeting).toMatchObject({ channel: 'line', delivered: 4, opened: null, billedMessages: 4 });
    expect(byNode.mail).toMatchObject({
      channel: 'email',
      reached: 4,
      sent: 2,
      delivered: 2,
      failed: 0,
      queued: 0,
      skipped: { no_consent: 1, suppressed: 1 },
      opened: 1,
      clicked: 1,
      billedMessages: 0,
      costYen: 0,
    });
    expect(r.billedMessages).toBe(4); // the LINE greetings only
    expect(r.groups[0]).toMatchObject({ group: 'treated', customers: 4, converted: 1, revenue: 2400 });
  });

  it('previews an email step with the decision the core would make for the customer', async () => {
    const app = await ownWorkspace('1650003102');
    const ws = app.workspace.workspaceId;
    const db = bed.database.db;
    const [friend] = await makeFriends(db, ws, 31_100, 1);
    const journeyId = await publishJourney(app, welcome);
    const preview = await bed.app.inject({
      url: `/v1/journeys/${journeyId}/preview?customerId=${friend}&days=5`,
      headers: app.auth,
    });
    expect(preview.statusCode, preview.body).toBe(200);
    const mail = preview.json().steps.find((s: { nodeId: string }) => s.nodeId === 'mail');
    expect(mail).toMatchObject({
      channel: 'email',
      email: { subject: SUBJECT },
      decision: { status: 'skipped', reason: 'no_email_identity' },
    });
    expect(mail.at).toMatch(/T01:00:00\.000Z$/); // 10:00 JST
  });

  it('refuses at save an email step without a sender, with a missing template, bad Liquid or bad MJML, naming the node', async () => {
    const post = async (auth: { authorization: string }, nodes: unknown[]) => {
      const response = await bed.app.inject({
        method: 'POST',
        url: '/v1/journeys',
        headers: auth,
        payload: { name: '検査', definition: { ...welcome, nodes } },
      });
      expect(response.statusCode, response.body).toBe(400);
      return response.json().error.problems as { path: string; message: string }[];
    };
    const mailNode = (email: unknown) => ({ id: 'mail', type: 'send', channel: 'email', email, next: 'end' });
    const end = { id: 'end', type: 'exit' };

    const bare = await ownWorkspace('1650003103', false);
    const noSender = await post(bare.auth, [mailNode({ templateId: 999_999 }), end]);
    expect(noSender.map((p) => p.path)).toEqual(['nodes[0].channel', 'nodes[0].email.templateId']);
    expect(noSender[0]!.message).toMatch(/no email sender/);
    expect(noSender[1]!.message).toMatch(/no email template 999999/);

    const shop = await ownWorkspace('1650003104');
    const badLiquid = await post(shop.auth, [
      mailNode({ subject: '{{ customer.givn_name }}様', mjml: MJML }),
      end,
    ]);
    expect(badLiquid).toHaveLength(1);
    expect(badLiquid[0]!.path).toBe('nodes[0].email.subject');
    expect(badLiquid[0]!.message).toMatch(/Liquid line 1, column \d+: .*customer\.givn_name/);

    const badMjml = await post(shop.auth, [
      mailNode({ subject: 'お知らせ', mjml: MJML.replaceAll('mj-column>', 'mj-colum>') }),
      end,
    ]);
    expect(badMjml.map((p) => p.path)).toEqual(['nodes[0].email.mjml']);

    const shape = await post(shop.auth, [
      { id: 'mail', type: 'send', channel: 'email', messages: [text('x')], next: 'end' },
      end,
    ]);
    expect(shape.map((p) => p.path)).toEqual(['nodes[0].messages', 'nodes[0].email']);

    const template = await bed.app.inject({
      method: 'POST',
      url: '/v1/email/templates',
      headers: shop.auth,
      payload: { name: '3日目', subject: '{{ customer.given_name | default: "お客" }}様へ', mjml: MJML },
    });
    expect(template.statusCode, template.body).toBe(201);
    const ok = await bed.app.inject({
      method: 'POST',
      url: '/v1/journeys',
      headers: shop.auth,
      payload: {
        name: 'テンプレート',
        definition: { ...welcome, nodes: [mailNode({ templateId: template.json().id }), end] },
      },
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });
});
