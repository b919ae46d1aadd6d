// A message's final `.` held back until the previous outcome is committed (smtp-transport.ts
// `deliverMessage` with `hold`): its bytes reach the server at once, the server accepts nothing
// before the hold resolves, and a hold that fails abandons the message unaccepted.
import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DKIM_SIGNED_HEADERS } from '../src/email/compose.ts';
import { generateDkimKey } from '../src/email/dkim.ts';
import { signMessage } from '../src/email/signed-message.ts';
import { closeSmtpTransports, deliverMessage, smtpTransport } from '../src/email/smtp-transport.ts';
import { Pacer } from '../src/messaging/pacer.ts';
import { type MailSink, startMailSink } from './email-sink.ts';

let sink: MailSink;
beforeAll(async () => {
  sink = await startMailSink();
});
afterAll(async () => {
  closeSmtpTransports();
  await sink?.close();
});

async function signed(n: number) {
  return signMessage({
    from: { name: '珈琲 絆', address: 'news@shop.example.jp' },
    to: `r${n}@example.com`,
    subject: '【冬の新作】ほうじ茶ラテのご案内',
    text: 'いつもご来店ありがとうございます。\n'.repeat(50),
    html: `<p>${'いつもご来店ありがとうございます。'.repeat(50)}</p>`,
    messageId: `<held-${n}@shop.example.jp>`,
    dkim: {
      domainName: 'shop.example.jp',
      keySelector: 'kizuna1',
      privateKey: generateDkimKey().privateKeyPem,
      headerFieldNames: DKIM_SIGNED_HEADERS,
    },
  });
}

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('a message held until the previous outcome commits', () => {
  it('travels at once, is accepted only after its hold resolves, byte for byte as signed', async () => {
    const message = await signed(1);
    expect(message.raw.toString('latin1')).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256;/);
    const hold = deferred();
    const bytesBefore = sink.dataBytes;
    const outcome = deliverMessage(smtpTransport(sink.smtp), new Pacer(100, 100), message, hold.promise);
    // The message is at the server (all but its last few bytes, which the server's parser keeps
    // until it knows they do not begin the terminating dot), and still it has accepted nothing.
    await until(
      () => sink.dataBytes - bytesBefore >= message.raw.length - 8,
      'the held message at the server',
    );
    expect(sink.accepted).toHaveLength(0);
    hold.resolve();
    expect(await outcome).toMatchObject({ kind: 'accepted', attempts: 1 });
    expect(sink.accepted).toHaveLength(1);
    expect(sink.accepted[0]!.messageId).toBe('<held-1@shop.example.jp>');
    expect(sink.accepted[0]!.raw.equals(message.raw)).toBe(true);
    expect(sink.accepted[0]!.to).toEqual(['r1@example.com']);
  });

  it('a hold that fails abandons the message without its final dot: nothing accepted, the error thrown', async () => {
    const message = await signed(2);
    const hold = deferred();
    const accepted = sink.accepted.length;
    const closed = sink.closed;
    const bytesBefore = sink.dataBytes;
    const outcome = deliverMessage(smtpTransport(sink.smtp), new Pacer(100, 100), message, hold.promise);
    await until(
      () => sink.dataBytes - bytesBefore >= message.raw.length - 8,
      'the held message at the server',
    );
    hold.reject(new Error('commit failed'));
    await expect(outcome).rejects.toThrow('commit failed');
    // The client dropped the connection; the server saw it close and kept nothing of the message.
    await until(() => sink.closed > closed, 'the server seeing the connection close');
    expect(sink.accepted).toHaveLength(accepted);
    // The pool goes on: the next message is delivered on a new connection.
    expect(
      await deliverMessage(smtpTransport(sink.smtp), new Pacer(100, 100), await signed(3)),
    ).toMatchObject({
      kind: 'accepted',
    });
    expect(sink.accepted.map((m) => m.messageId)).not.toContain('<held-2@shop.example.jp>');
  });
});
