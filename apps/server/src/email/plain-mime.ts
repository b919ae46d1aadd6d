// The MIME text of the one shape Kizuna's sends compose (composeEmail): From with a display name,
// one To, an optional Reply-To, a subject, a text and an HTML part as multipart/alternative, a
// Message-ID and a few ASCII headers. Built as one string, without nodemailer's MailComposer,
// whose per-message tree of streams and pipelines cost about a quarter of a message's CPU on a
// send's hot path (bench/email/HISTORY.md). Anything else (attachments, addresses that are not
// plain ASCII, very long ASCII header values) returns undefined, and the caller uses MailComposer.
//
// Encodings, as RFC 2045–2047 and 5322 ask and as nodemailer chooses them: header values with
// non-ASCII as UTF-8 base64 encoded words of at most 75 characters, folded; a part that is
// ASCII with lines of at most 76 characters as 7bit; other mostly-ASCII parts as
// quoted-printable; parts with more than a quarter of non-ASCII bytes (Japanese) as base64, in
// lines of 76. Line ends are CRLF throughout.
import { randomBytes } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';

export interface PlainMime {
  raw: Buffer;
  envelope: { from: string; to: string[] };
  messageId: string;
}

const FAST_KEYS = new Set([
  'from',
  'to',
  'replyTo',
  'subject',
  'html',
  'text',
  'messageId',
  'envelope',
  'headers',
]);
/** Printable ASCII and space: what a header may hold as it is. */
const PRINTABLE = /^[\x20-\x7e]*$/;
/** An address we can write as it is: printable ASCII, no spaces, angle brackets or commas. */
const PLAIN_ADDRESS = /^[\x21-\x7e]+@[\x21-\x7e]+$/;
const ADDRESS_SPECIALS = /[<>(),;:\\"[\]\s]/;
/** A display name that needs no quoting (atext and spaces). */
const ATEXT_NAME = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/;

function plainAddress(value: unknown): value is string {
  return (
    typeof value === 'string' && PLAIN_ADDRESS.test(value) && !ADDRESS_SPECIALS.test(value.replace('@', ''))
  );
}

/** RFC 2047: UTF-8 base64 encoded words of at most 75 characters (45 bytes each), folded between them. */
export function encodedWords(value: string): string {
  // ASCII stays as it is, unless it holds `=?`, which a reader could take for an encoded word.
  if (PRINTABLE.test(value) && !value.includes('=?')) return value;
  const words: string[] = [];
  let word = '';
  let bytes = 0;
  for (const ch of value) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > 45) {
      words.push(word);
      word = '';
      bytes = 0;
    }
    word += ch;
    bytes += n;
  }
  if (word) words.push(word);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

function displayName(name: string): string {
  if (!PRINTABLE.test(name)) return encodedWords(name);
  return ATEXT_NAME.test(name) ? name : `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

/** A part's body with CRLF line ends, and its transfer encoding. */
export function encodePart(content: string): {
  encoding: '7bit' | 'quoted-printable' | 'base64';
  body: string;
} {
  const crlf = content.replace(/\r\n|\r|\n/g, '\r\n');
  const bytes = Buffer.from(crlf, 'utf8');
  let high = 0;
  for (const b of bytes) if (b > 0x7e || (b < 0x20 && b !== 0x0d && b !== 0x0a && b !== 0x09)) high++;
  if (high === 0 && crlf.split('\r\n').every((line) => line.length <= 76))
    return { encoding: '7bit', body: crlf };
  if (high * 4 > bytes.length)
    return { encoding: 'base64', body: bytes.toString('base64').replace(/.{76}(?=.)/g, '$&\r\n') };
  return { encoding: 'quoted-printable', body: quotedPrintable(bytes) };
}

const HEX = '0123456789ABCDEF';

/** RFC 2045 6.7: lines of at most 76 characters with soft breaks; CRLF kept as line breaks. */
export function quotedPrintable(bytes: Buffer): string {
  const out: string[] = [];
  let line = '';
  const push = (token: string) => {
    if (line.length + token.length > 75) {
      out.push(`${line}=`);
      line = '';
    }
    line += token;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0d && bytes[i + 1] === 0x0a) {
      out.push(line);
      line = '';
      i++;
      continue;
    }
    // A space or tab at a line's end is encoded: a receiver may take it for padding and drop it.
    const atLineEnd = i + 1 === bytes.length || (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a);
    if (
      ((b >= 0x21 && b <= 0x7e && b !== 0x3d) || b === 0x20 || b === 0x09) &&
      !(atLineEnd && (b === 0x20 || b === 0x09))
    )
      push(String.fromCharCode(b));
    else push(`=${HEX[b >> 4]}${HEX[b & 15]}`);
  }
  out.push(line);
  return out.join('\r\n');
}

/**
 * The message `mail` as MIME text, or undefined when it is not the shape composeEmail makes.
 *
 * @example
 * const built = plainMime(composeEmail(input)) ?? (await buildWithMailComposer(mail));
 */
export function plainMime(mail: SendMailOptions): PlainMime | undefined {
  for (const key of Object.keys(mail)) if (!FAST_KEYS.has(key)) return undefined;
  const { from, to, replyTo, subject, html, text, messageId, envelope, headers } = mail;
  if (typeof from !== 'object' || from === null || Array.isArray(from)) return undefined;
  if (typeof from.name !== 'string' || !plainAddress(from.address) || /[\r\n]/.test(from.name))
    return undefined;
  if (!plainAddress(to) || (replyTo !== undefined && !plainAddress(replyTo))) return undefined;
  if (typeof subject !== 'string' || /[\r\n]/.test(subject) || subject.length > 900) return undefined;
  if (typeof html !== 'string' || typeof text !== 'string' || !html || !text) return undefined;
  if (typeof messageId !== 'string' || !/^<[\x21-\x3d\x3f-\x7e]+>$/.test(messageId)) return undefined;
  if (!envelope || typeof envelope.from !== 'string' || !Array.isArray(envelope.to)) return undefined;
  const extra: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!/^[A-Za-z0-9-]+$/.test(name) || typeof value !== 'string') return undefined;
    if (!PRINTABLE.test(value) || value.length > 900) return undefined;
    extra.push(`${name}: ${value}`);
  }
  const boundary = `=_kizuna_${randomBytes(12).toString('hex')}`;
  const plain = encodePart(text);
  const rich = encodePart(html);
  const head = [
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    `From: ${from.name ? `${displayName(from.name)} <${from.address}>` : from.address}`,
    ...(replyTo ? [`Reply-To: ${replyTo}`] : []),
    `To: ${to}`,
    `Subject: ${encodedWords(subject)}`,
    `Message-ID: ${messageId}`,
    ...extra,
    `Date: ${new Date().toUTCString().replace(/GMT$/, '+0000')}`,
    'MIME-Version: 1.0',
  ];
  const part = (type: string, p: { encoding: string; body: string }) =>
    `--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${p.encoding}\r\n\r\n${p.body}\r\n`;
  const raw = `${head.join('\r\n')}\r\n\r\n${part('text/plain', plain)}${part('text/html', rich)}--${boundary}--\r\n`;
  return {
    raw: Buffer.from(raw, 'utf8'),
    envelope: { from: envelope.from, to: envelope.to.map(String) },
    messageId,
  };
}
