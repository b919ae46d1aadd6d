// Email through the job system, as `kizuna start` runs it: a send created over the API is
// delivered by the email-send job, and the workspace's send policy (the email frequency cap) is
// the messaging core's, shared with LINE.
import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_JOBS } from '../src/email/email-jobs.ts';
import { content, createEmailBed, type EmailBed } from './email-setup.ts';

let bed: EmailBed;
beforeAll(async () => {
  bed = await createEmailBed({ jobs: EMAIL_JOBS });
});
afterAll(async () => {
  await bed?.close();
});

async function status(auth: { authorization: string }, id: number) {
  return (await bed.t.app.inject({ url: `/v1/email/sends/${id}`, headers: auth })).json() as {
    status: string;
    counts: { sent: number; skipped: number };
  };
}

describe('email sends through the worker', () => {
  it('delivers a send by its job, and the email frequency cap skips the second marketing mail', async () => {
    const shop = await bed.shop(['worker@example.com']);
    const policy = await bed.t.app.inject({
      method: 'PUT',
      url: '/v1/messaging/policy',
      headers: shop.auth,
      payload: { frequencyCaps: { line: null, email: { max: 1, windowHours: 24 } }, quietHours: null },
    });
    expect(policy.statusCode, policy.body).toBe(200);
    const first = await bed.send(shop.auth, { idempotencyKey: 'one', customerIds: shop.ids, content });
    await until(async () => (await status(shop.auth, first.id)).status === 'done', 'first send done', {
      timeoutMs: 30_000,
    });
    expect(bed.mailTo('worker@example.com')).toHaveLength(1);
    const second = await bed.send(shop.auth, { idempotencyKey: 'two', customerIds: shop.ids, content });
    await until(async () => (await status(shop.auth, second.id)).status === 'done', 'second send done', {
      timeoutMs: 30_000,
    });
    const messages = (
      await bed.t.app.inject({ url: `/v1/email/sends/${second.id}/messages`, headers: shop.auth })
    ).json();
    expect(messages.items[0]).toMatchObject({ status: 'skipped', reason: 'capped' });
    expect(bed.mailTo('worker@example.com')).toHaveLength(1);
    // A LINE route does not see the email send.
    expect(
      (await bed.t.app.inject({ url: `/v1/line/sends/${second.id}`, headers: shop.auth })).statusCode,
    ).toBe(404);
  });
});
