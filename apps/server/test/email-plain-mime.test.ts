// plain-mime.ts builds the message composeEmail describes without MailComposer: what a mail
// client reads back (mailparser) must be exactly the content given, for Japanese, ASCII with
// long lines, trailing whitespace and '=' signs, and an empty-ish text; every line within the
// limits (76 in encoded bodies, 998 anywhere); anything else falls back to MailComposer.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { encodedWords, encodePart, plainMime, quotedPrintable } from '../src/email/plain-mime.ts';

const base = {
  from: { name: '珈琲 絆', address: 'news@shop.example.jp' },
  to: 'hanako@example.com',
  subject: '【冬の新作】ほうじ茶ラテのご案内',
  messageId: '<r-123.4@shop.example.jp>',
  envelope: { from: 'bounce+abc@bounce.shop.example.jp', to: ['hanako@example.com'] },
  headers: {
    'Feedback-ID': 'campaign-1:12:abcd1234:kizuna',
    'List-Unsubscribe': '<https://kizuna.example.jp/u/tok>, <mailto:unsubscribe+tok@bounce.shop.example.jp>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
};

async function roundTrip(mail: Parameters<typeof plainMime>[0]) {
  const built = plainMime(mail);
  expect(built, 'the fast path applies').toBeDefined();
  const text = built!.raw.toString('utf8');
  for (const line of text.split('\r\n')) expect(line.length, line).toBeLessThanOrEqual(998);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  return { built: built!, parsed: await simpleParser(built!.raw) };
}

describe('plainMime', () => {
  it('reads back as the content given: Japanese parts in base64, names and subject as encoded words', async () => {
    const html = `<html><body>${'<p>いつもご来店ありがとうございます。</p>'.repeat(30)}</body></html>`;
    const text = `${'いつもご来店ありがとうございます。\n'.repeat(30)}--\n配信停止: https://kizuna.example.jp/u/tok\n`;
    const { built, parsed } = await roundTrip({ ...base, replyTo: 'shop@example.jp', html, text });
    expect(parsed.subject).toBe(base.subject);
    expect(parsed.from?.value).toEqual([{ name: '珈琲 絆', address: 'news@shop.example.jp' }]);
    expect(parsed.replyTo?.value[0]?.address).toBe('shop@example.jp');
    expect(parsed.messageId).toBe(base.messageId);
    expect(parsed.html).toBe(html);
    expect(parsed.text).toBe(text);
    const line = (key: string) => parsed.headerLines.find((h) => h.key === key)?.line;
    expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(line('list-unsubscribe')).toBe(`List-Unsubscribe: ${base.headers['List-Unsubscribe']}`);
    expect(line('feedback-id')).toBe(`Feedback-ID: ${base.headers['Feedback-ID']}`);
    expect(built.envelope).toEqual(base.envelope);
    const raw = built.raw.toString('latin1');
    expect(raw).toContain('Content-Transfer-Encoding: base64');
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    for (const line of body.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
  });

  it('keeps ASCII with long lines, trailing spaces and tabs, = signs and a leading dot exactly (quoted-printable)', async () => {
    const text = `Dear  customer, \t\nprice = 500 yen\t\n. a line that starts with a dot\n${'long '.repeat(40)}\nend `;
    const html = `<p style="color:   red">${'Winter menu  '.repeat(40)}</p>\n\n\n`;
    const { built, parsed } = await roundTrip({
      ...base,
      from: { name: 'Kizuna Cafe', address: base.from.address },
      subject: 'Winter menu',
      html,
      text,
    });
    expect(parsed.text).toBe(text);
    expect(parsed.html).toBe(html);
    expect(parsed.from?.value[0]?.name).toBe('Kizuna Cafe');
    expect(built.raw.toString('latin1')).toContain('Content-Transfer-Encoding: quoted-printable');
  });

  it('writes short ASCII lines as 7bit and quotes a display name with specials', async () => {
    const { parsed, built } = await roundTrip({
      ...base,
      from: { name: 'Cafe "Kizuna", Shibuya', address: base.from.address },
      subject: 'Hello',
      html: '<p>Hello</p>',
      text: 'Hello\nSee you',
    });
    expect(parsed.from?.value[0]?.name).toBe('Cafe "Kizuna", Shibuya');
    expect(parsed.text).toBe('Hello\nSee you');
    expect(built.raw.toString('latin1')).toContain('Content-Transfer-Encoding: 7bit');
  });

  it('encodes a long Japanese subject in words of at most 75 characters, never splitting a character', async () => {
    const subject =
      '【年末感謝祭】いつもご来店いただき誠にありがとうございます。ポイント2倍のお知らせと冬季限定メニューのご案内です🎍';
    const words = encodedWords(subject).split('\r\n ');
    expect(words.length).toBeGreaterThan(2);
    for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
    const { parsed } = await roundTrip({ ...base, subject, html: '<p>x</p>', text: 'x' });
    expect(parsed.subject).toBe(subject);
  });

  it('encodes an ASCII subject that holds =? so that it is not read as an encoded word', async () => {
    expect(encodedWords('Sale =?UTF-8?B?x?= now')).toMatch(/^=\?UTF-8\?B\?/);
    expect(encodedWords('Sale now')).toBe('Sale now');
    const { parsed } = await roundTrip({
      ...base,
      subject: 'Sale =?UTF-8?B?x?= now',
      html: '<p>x</p>',
      text: 'x',
    });
    expect(parsed.subject).toBe('Sale =?UTF-8?B?x?= now');
  });

  it('quoted-printable lines stay within 76 characters, with soft breaks', () => {
    const body = quotedPrintable(Buffer.from(`${'=é'.repeat(100)} \r\n${'a'.repeat(200)}\t`, 'utf8'));
    for (const line of body.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(body).toMatch(/=20\r\n/);
    expect(body.endsWith('=09')).toBe(true);
    expect(encodePart('a\nb').encoding).toBe('7bit');
  });

  it('leaves every other shape to MailComposer', () => {
    const ok = { ...base, html: '<p>x</p>', text: 'x' };
    expect(plainMime(ok)).toBeDefined();
    expect(plainMime({ ...ok, attachments: [{ content: 'x' }] })).toBeUndefined();
    expect(plainMime({ ...ok, to: '花子 <hanako@example.com>' })).toBeUndefined();
    expect(plainMime({ ...ok, to: 'はなこ@example.jp' })).toBeUndefined();
    expect(plainMime({ ...ok, subject: 'a\r\nBcc: x@example.com' })).toBeUndefined();
    expect(plainMime({ ...ok, headers: { 'X-Bad': 'a\r\nb' } })).toBeUndefined();
    expect(plainMime({ ...ok, text: '' })).toBeUndefined();
  });
});
