// DKIM-Signature fields (RFC 6376, relaxed/relaxed, SHA-256) over a built message: rsa-sha256
// with the sender's RSA key, and ed25519-sha256 (RFC 8463) with its Ed25519 key when it has one.
//
// Kizuna signs here rather than through nodemailer's DKIM signer, which reads the message through
// a parser and a body-canonicalizing transform, holds it, and emits it again chunk by chunk on
// timers: about 0.1 ms of CPU per message more than building the message and signing it here
// (0.91 against 0.83 ms, interleaved; bench/email/HISTORY.md, 2026-12-07 evening), on a send's hot
// path. nodemailer also signs RSA only.
// mailauth verifies both signatures (test/email-delivery.test.ts, email-dkim-ed25519.test.ts,
// email-dkim-sign.test.ts).
import { createHash, type KeyObject, sign } from 'node:crypto';
import { domainToASCII } from 'node:url';

export interface DkimKey {
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  domainName: string;
  selector: string;
  /** Parsed once per send (`createPrivateKey`): a PEM text is parsed again by every signature. */
  privateKey: KeyObject | string;
  /** The header fields to sign, colon-separated (compose.ts `DKIM_SIGNED_HEADERS`). */
  headerFieldNames: string;
}

/** A message's header fields, in order, and the SHA-256 of its relaxed body: what every signature needs. */
export interface CanonicalMessage {
  /** Each field as [name, value with its folding]. */
  fields: [string, string][];
  bodyHash: string;
}

/** RFC 6376 section 3.4.2: unfold, runs of SP/HTAB to one SP, none around the colon or at the end. */
function relaxedHeader(name: string, value: string): string {
  return `${name.toLowerCase()}:${value
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '')}`;
}

/** RFC 6376 section 3.4.4: runs of SP/HTAB to one SP, none at line ends, no empty lines at the end. */
export function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? `${lines.join('\r\n')}\r\n` : '';
}

/** The header fields of a message head, in order, each as [name, value with its folding]. */
function headerFields(head: string): [string, string][] {
  const fields: [string, string][] = [];
  for (const line of head.split('\r\n')) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) last[1] += `\r\n${line}`;
    else {
      const colon = line.indexOf(':');
      if (colon > 0) fields.push([line.slice(0, colon), line.slice(colon + 1)]);
    }
  }
  return fields;
}

/**
 * Splits `raw` (CRLF line ends) into its header fields and hashes its relaxed body. Bytes are
 * read as latin1 so each stays one character (UTF-8 in a header or the body stays intact).
 */
export function canonicalMessage(raw: Buffer): CanonicalMessage {
  const text = raw.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  return {
    fields: headerFields(head),
    bodyHash: createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64'),
  };
}

/**
 * The DKIM-Signature field (ending in CRLF) that signs `message` with `key`: over the listed
 * header fields (each in its last instance, RFC 6376 5.4.2; fields the message lacks are left
 * out of h=) and this field with an empty b=. RSA signs that data with SHA-256 (PKCS#1 v1.5);
 * Ed25519 signs its SHA-256 with PureEdDSA (RFC 8463 section 3).
 *
 * @example
 * const canonical = canonicalMessage(raw);
 * const signed = Buffer.concat([Buffer.from(dkimSignature(canonical, rsaKey), 'latin1'), raw]);
 */
export function dkimSignature(message: CanonicalMessage, key: DkimKey): string {
  // Each name's last instance (RFC 6376 5.4.2): later fields overwrite earlier ones.
  const last = new Map<string, string>();
  for (const [name, value] of message.fields) last.set(name.toLowerCase(), value);
  const signed: string[] = [];
  const names: string[] = [];
  for (const name of key.headerFieldNames.toLowerCase().split(':')) {
    const field = last.get(name);
    if (field === undefined) continue;
    names.push(name);
    signed.push(relaxedHeader(name, field));
  }
  // A domain (in ASCII) and a selector hold letters, digits, '.', '-' and '_' only; anything else
  // (a tag delimiter, whitespace) is dropped rather than let a bad setting forge a tag.
  const clean = (value: string) => value.replace(/[^A-Za-z0-9._-]/g, '');
  const value =
    ` v=1; a=${key.algorithm}; c=relaxed/relaxed; d=${clean(domainToASCII(key.domainName) || key.domainName)};` +
    ` s=${clean(key.selector)};\r\n bh=${message.bodyHash};\r\n h=${names.join(':')};\r\n b=`;
  const data = Buffer.from(`${signed.join('\r\n')}\r\n${relaxedHeader('dkim-signature', value)}`, 'latin1');
  const signature =
    key.algorithm === 'rsa-sha256'
      ? sign('sha256', data, key.privateKey)
      : sign(null, createHash('sha256').update(data).digest(), key.privateKey);
  // b= folded (its whitespace is not part of the value, RFC 6376 3.5), lines under 80 characters.
  return `DKIM-Signature:${value}${signature.toString('base64').replace(/.{72}(?=.)/g, '$&\r\n ')}\r\n`;
}
