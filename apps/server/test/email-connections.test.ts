// The relay URL's `?connections=N` sets how many SMTP connections a send uses at once, and so its
// messages in flight: a relay that allows only two gets two; a nearby fast one can be given more
// than the default five. Every message still goes once.
import { until } from '@kizuna/test-support';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailAdapter } from '../src/email/email-adapter.ts';
import { parseSmtpUrl } from '../src/email/smtp-settings.ts';
import { closeSmtpTransports } from '../src/email/smtp-transport.ts';
import { deliverSend } from '../src/messaging/deliver-send.ts';
import { content, createEmailBed, type EmailBed, emailCustomers, PUBLIC_URL } from './email-setup.ts';

let bed: EmailBed;
beforeAll(async () => {
  bed = await createEmailBed();
});
afterAll(async () => {
  await bed?.close();
});

async function sendThrough(connections: number, key: string) {
  const shop = await bed.shop([]);
  const ids = await emailCustomers(bed.t.database.db, shop.ws, 60);
  const { id } = await bed.send(shop.auth, { idempotencyKey: key, customerIds: ids, content });
  const smtp = parseSmtpUrl(`${bed.sink.smtp.url}?connections=${connections}`);
  expect(smtp.connections).toBe(connections);
  // Count from none open: the previous send's pool is closed first.
  closeSmtpTransports();
  await until(() => bed.sink.open === 0, 'the previous pool closed');
  bed.sink.maxOpen = 0;
  const before = bed.sink.accepted.length;
  const context = {
    database: bed.t.database,
    secrets: bed.t.secrets,
    logger: pino({ level: 'silent' }),
    email: { smtp, publicUrl: PUBLIC_URL },
  };
  expect(await deliverSend(context, emailAdapter, shop.ws, id)).toBe('done');
  const accepted = bed.sink.accepted.slice(before);
  expect(new Set(accepted.map((m) => m.messageId)).size).toBe(60);
  expect(accepted).toHaveLength(60);
  return bed.sink.maxOpen;
}

describe('SMTP connections per send (KIZUNA_SMTP_URL ?connections=)', () => {
  it('two connections: never more than two open at once, every message once', async () => {
    expect(await sendThrough(2, 'two')).toBeLessThanOrEqual(2);
  });

  it('eight connections: more than the default five open at once, every message once', async () => {
    expect(await sendThrough(8, 'eight')).toBeGreaterThan(5);
  });
});
