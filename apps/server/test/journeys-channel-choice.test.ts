// A `line_then_email` send node, on a simulated clock with the LINE sandbox and an in-process SMTP
// server: a reachable LINE friend gets the LINE message and no mail; a friend who blocked, a
// customer without LINE get the mail; without email consent or at a suppressed address the core
// skips them with its reasons. Each step records its channel and why; the results count the node
// as one (LINE billed for its deliveries only); a click on the mail is a message.clicked domain
// event with the node's origin. Save-time checks name the missing content.
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EMAIL_JOBS } from '../src/email/email-jobs.ts';
import { closeSmtpTransports } from '../src/email/smtp-transport.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { SimulatedClock } from '../src/shared/clock.ts';
import { PUBLIC_URL } from './email-setup.ts';
import { type MailSink, startMailSink } from './email-sink.ts';
import { lineUserId, newWorkspace } from './helpers.ts';
import {
  JOURNEY_TEST_TIMEOUT,
  jst,
  publishEvents,
  publishJourney,
  runsOf,
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

async function ownWorkspace(channel: string, sender = true) {
  const workspace = await newWorkspace(bed.database);
  const app = { ...bed, workspace, auth: { authorization: `Bearer ${workspace.apiKey}` } };
  const put = await bed.app.inject({
    method: 'PUT',
    url: `/v1/line/channels/${channel}`,
    headers: app.auth,
    payload: {
      name: 'LINEかメールの店',
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
{{ customer.given_name }}様、ご来店ありがとうございました。<a href="https://shop.example.jp/menu">今月のメニュー</a>
</mj-text></mj-column></mj-section></mj-body></mjml>`;

const thanks = {
  trigger: { event: 'visit.recorded' },
  reentry: 'never',
  quietHours: 'hold',
  nodes: [
    { id: 'next-day', type: 'wait', until: { dayOffset: 1, at: '10:00' }, next: 'thanks' },
    {
      id: 'thanks',
      type: 'send',
      channel: 'line_then_email',
      messages: [text('{{ customer.given_name }}様、昨日はありがとうございました')],
      email: { subject: '{{ customer.given_name }}様、ご来店ありがとうございました', mjml: MJML },
      next: 'end',
    },
    { id: 'end', type: 'exit' },
  ],
};

describe('line_then_email send nodes (LINE優先、届かなければメール)', () => {
  it('sends LINE to reachable friends and mail to the others, records the channel and why, counts one node', async () => {
    const app = await ownWorkspace('1650003901');
    const ws = app.workspace.workspaceId;
    const db = bed.database.db;
    const first = 39_000;
    // 0: a LINE friend with consent; 1: a friend who blocked (consent `blocked`); 2–4 without LINE.
    const friends = await makeFriends(db, ws, first, 2);
    const { rows } = await sql<{ id: number }>`insert into customer (workspace_id, acquisition_source)
      select ${ws}::uuid, 'import' from generate_series(1, 3) returning id`.execute(db);
    const ids = [...friends, ...rows.map((r) => Number(r.id))];
    const names = ['花子', '一郎', '次郎', '三郎', '四郎'];
    const addresses = ids.map((_, i) => `c${i}@mail${i}.lte.example`);
    for (const [i, id] of ids.entries()) {
      await sql`update customer set given_name = ${names[i]!} where workspace_id = ${ws} and id = ${id}`.execute(
        db,
      );
      await sql`insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
        values (${ws}, 'email', '', ${addresses[i]!}, ${id})`.execute(db);
      // The fourth never consented to email; the fifth's address bounced.
      if (i !== 3)
        await sql`insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
          values (${ws}, ${id}, 'email', 'marketing', 'granted', 'test', now())`.execute(db);
    }
    await sql`update customer_consent set status = 'blocked' where workspace_id = ${ws}
      and customer_id = ${ids[1]!} and channel = 'line'`.execute(db);
    await sql`insert into email_suppression (workspace_id, address, suppressed, reason, updated_at)
      values (${ws}, ${addresses[4]!}, true, 'hard_bounce', now())`.execute(db);

    const journeyId = await publishJourney(app, thanks, '来店お礼');
    const clock = new SimulatedClock(jst('2027-05-10T15:00:00'));
    await publishEvents(
      db,
      ws,
      ids.map((customerId, i) => ({
        type: 'visit.recorded' as const,
        customerId,
        payload: { visitId: 900 + i, externalId: `v-${i}`, storeId: null },
      })),
    );
    expect(await tick(db, ws, clock.now(), bed.jobs, bed.secrets)).toMatchObject({ entered: 5, steps: 5 });
    clock.setTo(jst('2027-05-11T09:59:00'));
    expect((await tick(db, ws, clock.now(), bed.jobs, bed.secrets)).steps).toBe(0);
    clock.setTo(jst('2027-05-11T10:00:00'));
    expect((await tick(db, ws, clock.now(), bed.jobs, bed.secrets)).steps).toBe(10); // thanks, end × 5

    const results = async () => {
      const r = await bed.app.inject({ url: `/v1/journeys/${journeyId}/results`, headers: app.auth });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };
    const node = async () => (await results()).steps.find((s: { nodeId: string }) => s.nodeId === 'thanks');
    await until(async () => (await node()).delivered === 3, 'one LINE message and two mails delivered', {
      timeoutMs: 60_000,
    });
    expect(await node()).toMatchObject({
      channel: 'line_then_email',
      reached: 5,
      sent: 3,
      delivered: 3,
      skipped: { no_consent: 1, suppressed: 1 },
      billedMessages: 1,
      opened: 0,
    });

    // LINE: the friend only, personalised; the blocked friend got nothing there.
    expect(bed.line.received(lineUserId(first)).map((m) => m.messages)).toEqual([
      [{ type: 'text', text: '花子様、昨日はありがとうございました' }],
    ]);
    expect(bed.line.received(lineUserId(first + 1))).toEqual([]);
    // Email: the blocked friend and the customer without LINE, never the LINE friend.
    const mine = sink.accepted.filter((m) => m.to.some((t) => t.endsWith('.lte.example')));
    expect(mine.map((m) => m.to[0]).sort()).toEqual([addresses[1], addresses[2]]);
    const parsed = await simpleParser(mine.find((m) => m.to[0] === addresses[2])!.raw);
    expect(parsed.subject).toBe('次郎様、ご来店ありがとうございました');
    // Jiro follows the mail's link through the redirect: a click of the node, and a
    // message.clicked domain event (what a "message clicked" branch wakes on) with its origin.
    const link = new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}(/r/[A-Za-z0-9_.-]+)`).exec(
      String(parsed.html),
    )![1]!;
    const click = await bed.app.inject({ url: link });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://shop.example.jp/menu');
    const { rows: clicks } = await sql<{ customer_id: number; payload: { origin: string } }>`
      select customer_id, payload from domain_event where workspace_id = ${ws} and type = 'message.clicked'`.execute(
      db,
    );
    expect(clicks.map((c) => [Number(c.customer_id), c.payload.origin])).toEqual([
      [ids[2], `journey:${journeyId}/v1/node:thanks`],
    ]);
    expect(await node()).toMatchObject({ clicked: 1 });

    // Each step says which channel and why.
    const runs = await runsOf(db, ws, journeyId);
    const { rows: steps } = await sql<{
      customer_id: number;
      outcome: string;
      detail: Record<string, unknown>;
    }>`
      select r.customer_id, s.outcome, s.detail from journey_step s
      join journey_run r on r.workspace_id = s.workspace_id and r.id = s.run_id
      where s.workspace_id = ${ws} and r.journey_id = ${journeyId} and s.node_id = 'thanks'`.execute(db);
    const byCustomer = new Map(steps.map((s) => [Number(s.customer_id), s]));
    expect(runs.every((r) => r.exit_reason === 'completed')).toBe(true);
    expect(ids.map((id) => byCustomer.get(id)?.detail)).toEqual([
      { channel: 'line', channelReason: 'line_friend' },
      { channel: 'email', channelReason: 'line_blocked' },
      { channel: 'email', channelReason: 'no_line_identity' },
      { channel: 'email', channelReason: 'no_line_identity' },
      { channel: 'email', channelReason: 'no_line_identity' },
    ]);
    expect(ids.map((id) => byCustomer.get(id)?.outcome)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    // The two sends' keys are derived from the node and the channel.
    const { rows: sends } = await sql<{ channel: string; idempotency_key: string }>`
      select channel, idempotency_key from message_send where workspace_id = ${ws} order by channel`.execute(
      db,
    );
    expect(sends.map((s) => s.channel)).toEqual(['email', 'line']);
    expect(sends[0]!.idempotency_key).toMatch(
      new RegExp(`^journey:${journeyId}:v1:thanks:[0-9a-f]{32}:email$`),
    );
    expect(sends[1]!.idempotency_key).toMatch(
      new RegExp(`^journey:${journeyId}:v1:thanks:[0-9a-f]{32}:line$`),
    );

    // The preview makes the same choice for one customer.
    for (const [i, channel, reason] of [
      [0, 'line', 'line_friend'],
      [1, 'email', 'line_blocked'],
    ] as const) {
      const preview = await bed.app.inject({
        url: `/v1/journeys/${journeyId}/preview?customerId=${ids[i]}&days=3`,
        headers: app.auth,
      });
      expect(preview.statusCode, preview.body).toBe(200);
      const step = preview.json().steps.find((s: { nodeId: string }) => s.nodeId === 'thanks');
      expect(step).toMatchObject({ channel, channelReason: reason, decision: { status: 'send' } });
    }
  });

  it('refuses at save a line_then_email node without its LINE messages or its mail, or without a sender', async () => {
    const post = async (auth: { authorization: string }, node: Record<string, unknown>) => {
      const response = await bed.app.inject({
        method: 'POST',
        url: '/v1/journeys',
        headers: auth,
        payload: { name: '検査', definition: { ...thanks, nodes: [node, { id: 'end', type: 'exit' }] } },
      });
      expect(response.statusCode, response.body).toBe(400);
      return response.json().error.problems as { path: string; message: string }[];
    };
    const shop = await ownWorkspace('1650003902');
    const full = thanks.nodes[1]! as Record<string, unknown>;
    const { messages: _m, ...noMessages } = full;
    const { email: _e, ...noEmail } = full;
    const missingMessages = await post(shop.auth, { ...noMessages, next: 'end' });
    expect(missingMessages.map((p) => p.path)).toEqual(['nodes[0].messages']);
    expect(missingMessages[0]!.message).toMatch(/required for a line_then_email send/);
    const missingMail = await post(shop.auth, { ...noEmail, next: 'end' });
    expect(missingMail.map((p) => p.path)).toEqual(['nodes[0].email']);
    expect(missingMail[0]!.message).toMatch(/the mail for customers LINE cannot reach/);
    const badLiquid = await post(shop.auth, {
      ...full,
      messages: [text('{{ customer.givn_name }}様')],
      next: 'end',
    });
    expect(badLiquid.map((p) => p.path)).toEqual(['nodes[0].messages[0].text']);

    const bare = await ownWorkspace('1650003903', false);
    const noSender = await post(bare.auth, { ...full, next: 'end' });
    expect(noSender.map((p) => p.path)).toEqual(['nodes[0].channel']);
    expect(noSender[0]!.message).toMatch(/no email sender/);
  });
});
