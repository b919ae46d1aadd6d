// The email test bed: the app with an in-process SMTP server as its relay, shops with a sender
// and customers, and delivery run directly through the messaging core.
import { type Kysely, sql } from 'kysely';
import pino from 'pino';
import { expect } from 'vitest';
import { recordConsent } from '../src/customers/consent.ts';
import { upsertCustomer } from '../src/customers/upsert-customer.ts';
import type { DB } from '../src/db/schema.ts';
import { emailAdapter } from '../src/email/email-adapter.ts';
import { closeSmtpTransports } from '../src/email/smtp-transport.ts';
import type { JobDefinition } from '../src/jobs/job-types.ts';
import { type DeliverOptions, deliverSend } from '../src/messaging/deliver-send.ts';
import { acceptAsNewUser, invite } from './auth-helpers.ts';
import { type MailSink, startMailSink } from './email-sink.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';

export const PUBLIC_URL = 'https://kizuna.example.jp';

export const content = {
  subject: '【冬の新作】ほうじ茶ラテのご案内 ☕',
  html: '<html><body><p>いつもご来店ありがとうございます。</p></body></html>',
  text: 'いつもご来店ありがとうございます。',
};

export interface Shop {
  ws: string;
  auth: { authorization: string };
  ids: number[];
  sender: { id: string; dnsRecords: { name: string; value: string }[] };
}

export interface EmailBed {
  t: TestApp;
  sink: MailSink;
  /** A workspace with a sender and customers (email; marketing consent granted unless null). */
  shop(emails: string[], consent?: ('granted' | 'revoked' | null)[]): Promise<Shop>;
  /** The session headers of a new member of `shop`'s workspace with `role`, invited and signed up. */
  asRole(shop: Shop, role: string): Promise<Record<string, string>>;
  send(auth: { authorization: string }, payload: Record<string, unknown>): Promise<{ id: number }>;
  deliver(ws: string, sendId: number, options?: DeliverOptions): ReturnType<typeof deliverSend>;
  mailTo(address: string): MailSink['accepted'];
  close(): Promise<void>;
}

/** With `jobs`, the app runs them (the email-send job delivers sends by itself). */
export async function createEmailBed(options: { jobs?: JobDefinition[] } = {}): Promise<EmailBed> {
  const sink = await startMailSink();
  const t = await createTestApp({
    publicUrl: PUBLIC_URL,
    email: { smtp: sink.smtp, publicUrl: PUBLIC_URL },
    ...(options.jobs ? { jobs: options.jobs } : {}),
  });
  const db = t.database.db;
  return {
    t,
    sink,
    async asRole(shop, role) {
      const token = await invite(t.app, shop.auth, `${role}-${shop.ws.slice(0, 8)}@example.jp`, role);
      return (await acceptAsNewUser(t.app, token, `${role}-Kizuna-2026-pass`)).browser.headers(shop.ws);
    },
    async shop(emails, consent = []) {
      const ws = await newWorkspace(t.database, 'メール店');
      const auth = { authorization: `Bearer ${ws.apiKey}` };
      const put = await t.app.inject({
        method: 'PUT',
        url: '/v1/email/sender',
        headers: auth,
        payload: {
          fromName: '珈琲 絆',
          fromAddress: 'news@shop.example.jp',
          replyTo: 'support@shop.example.jp',
          postalAddress: '東京都渋谷区神南1-2-3',
          contact: '03-1234-5678 / support@shop.example.jp',
        },
      });
      expect(put.statusCode, put.body).toBe(200);
      const ids: number[] = [];
      for (const [i, email] of emails.entries()) {
        const { id } = await db.transaction().execute((tx) => upsertCustomer(tx, ws.workspaceId, { email }));
        const status = consent[i] === undefined ? 'granted' : consent[i];
        if (status)
          await db.transaction().execute((tx) =>
            recordConsent(tx, ws.workspaceId, id, {
              channel: 'email',
              purpose: 'marketing',
              status,
              source: 'test',
            }),
          );
        ids.push(id);
      }
      return { ws: ws.workspaceId, auth, ids, sender: put.json() };
    },
    async send(auth, payload) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/email/sends', headers: auth, payload });
      expect(response.statusCode, response.body).toBe(202);
      return response.json() as { id: number };
    },
    deliver(ws, sendId, options = {}) {
      const context = {
        database: t.database,
        secrets: t.secrets,
        logger: pino({ level: 'silent' }),
        email: { smtp: sink.smtp, publicUrl: PUBLIC_URL },
      };
      return deliverSend(context, emailAdapter, ws, sendId, options);
    },
    mailTo: (address) => sink.accepted.filter((m) => m.to.includes(address)),
    async close() {
      closeSmtpTransports();
      await sink.close();
      await t.close();
    },
  };
}

/**
 * `count` customers r0@d0.example, r1@d1.example, … (25 receiving domains) with an email identity
 * and marketing consent, in one statement; their ids in that order.
 */
export async function emailCustomers(db: Kysely<DB>, ws: string, count: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    with s as (select g as n from generate_series(0, ${count - 1}::int) g),
    c as (
      insert into customer (workspace_id, acquisition_source, attributes)
      select ${ws}::uuid, 'ec', jsonb_build_object('n', n) from s order by n
      returning id, (attributes->>'n')::int as n),
    i as (
      insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
      select ${ws}::uuid, 'email', '', 'r' || n || '@d' || (n % 25) || '.example', id from c),
    k as (
      insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
      select ${ws}::uuid, id, 'email', 'marketing', 'granted', 'test', now() from c)
    select id from c order by n`.execute(db);
  return rows.map((r) => Number(r.id));
}
