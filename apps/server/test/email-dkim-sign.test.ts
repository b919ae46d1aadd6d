// Kizuna's own DKIM signer (dkim-signature.ts, through signed-message.ts `signMessage`): what it
// signs is what the SMTP client sends, and an independent verifier (mailauth) passes it, for
// content that exercises the canonicalization: bare LFs, trailing whitespace, runs of spaces and
// tabs, empty lines at the end of a part, folded headers, a 7-bit and a quoted-printable part.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { DKIM_SIGNED_HEADERS } from '../src/email/compose.ts';
import { generateDkimKey } from '../src/email/dkim.ts';
import { signMessage } from '../src/email/signed-message.ts';

const rsa = generateDkimKey();
const ed = generateKeyPairSync('ed25519');
const records: Record<string, string> = {
  'kizuna1._domainkey.shop.example.jp': `v=DKIM1; k=rsa; p=${rsa.publicKey}`,
  'kizuna-ed25519._domainkey.shop.example.jp': `v=DKIM1; k=ed25519; p=${Buffer.from(
    ed.publicKey.export({ format: 'jwk' }).x!,
    'base64url',
  ).toString('base64')}`,
};

async function verify(raw: Buffer) {
  const { results } = await dkimVerify(raw, {
    resolver: async (name: string, type: string) => {
      if (type === 'TXT' && records[name]) return [[records[name]]];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  return results
    .map((r: { algo?: string; status: { result: string } }) => `${r.algo} ${r.status.result}`)
    .sort();
}

// ASCII with bare LFs, trailing spaces and tabs, runs of whitespace and empty lines at the end:
// nodemailer keeps such a text part as 7bit with its LFs (sent as CRLF); the HTML is long-lined,
// so quoted-printable.
const text = 'Dear  customer, \t\nline\twith  tabs   \n\n. a line that starts with a dot\n\n\n\n';
const html = `<p style="color:   red">${'Winter menu  '.repeat(40)}</p>\n\n\n`;

function mail(n: number, privateKey: string | ReturnType<typeof createPrivateKey>) {
  return {
    from: { name: 'Kizuna Coffee', address: 'news@shop.example.jp' },
    to: `r${n}@example.com`,
    subject: `A subject long enough to be folded by the composer ${'and then some more words '.repeat(4)}`,
    text,
    html,
    messageId: `<sign-${n}@shop.example.jp>`,
    envelope: { from: 'bounce+x@shop.example.jp', to: [`r${n}@example.com`] },
    headers: {
      'List-Unsubscribe': '<https://kizuna.example.jp/u/abc>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    dkim: {
      domainName: 'shop.example.jp',
      keySelector: 'kizuna1',
      // nodemailer's type says PEM text; the adapter passes a KeyObject (both work).
      privateKey: privateKey as string,
      headerFieldNames: DKIM_SIGNED_HEADERS,
    },
  };
}

describe("Kizuna's DKIM signer", () => {
  it('RSA over awkward content passes mailauth; CRLF only; the parts read back as written', async () => {
    const signed = await signMessage(mail(1, createPrivateKey(rsa.privateKeyPem)));
    const latin1 = signed.raw.toString('latin1');
    expect(latin1).toMatch(
      /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=shop\.example\.jp; s=kizuna1;/,
    );
    // Every line ends in CRLF, as the SMTP client sends it (a bare LF would be signed as sent otherwise).
    expect(latin1).not.toMatch(/[^\r]\n/);
    expect(latin1.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect(await verify(signed.raw)).toEqual(['rsa-sha256 pass']);
    expect(signed.envelope).toEqual({ from: 'bounce+x@shop.example.jp', to: ['r1@example.com'] });
    expect(signed.messageId).toBe('<sign-1@shop.example.jp>');
    const parsed = await simpleParser(signed.raw);
    // Canonicalization is for the hash only: the whitespace the customer gets is as written.
    expect(parsed.text).toContain('Dear  customer, \t\nline\twith  tabs   \n');
    expect(parsed.text).toContain('. a line that starts with a dot');
    expect(parsed.html).toContain('Winter menu  Winter menu');
  });

  it('with an Ed25519 key too: two signatures over the same body hash, both pass; a changed body or subject fails both', async () => {
    const signed = await signMessage(mail(2, rsa.privateKeyPem), {
      domainName: 'shop.example.jp',
      selector: 'kizuna-ed25519',
      privateKey: ed.privateKey,
      headerFieldNames: DKIM_SIGNED_HEADERS,
    });
    const latin1 = signed.raw.toString('latin1');
    expect(latin1.match(/^DKIM-Signature:/gm)).toHaveLength(2);
    const bodyHashes = [...latin1.matchAll(/bh=([^;]+);/g)].map((m) => m[1]);
    expect(bodyHashes).toHaveLength(2);
    expect(bodyHashes[0]).toBe(bodyHashes[1]);
    expect(await verify(signed.raw)).toEqual(['ed25519-sha256 pass', 'rsa-sha256 pass']);
    const tampered = Buffer.from(latin1.replace('Winter menu', 'Summer menu'), 'latin1');
    // mailauth calls a body that does not match its hash "neutral" (RFC 6376 6.3), a signature that does not match "fail".
    expect(await verify(tampered)).toEqual(['ed25519-sha256 neutral', 'rsa-sha256 neutral']);
    const resubjected = Buffer.from(latin1.replace('Subject: A subject', 'Subject: B subject'), 'latin1');
    expect(await verify(resubjected)).toEqual(['ed25519-sha256 fail', 'rsa-sha256 fail']);
  });

  it('whitespace changes that relaxed canonicalization ignores keep both signatures valid', async () => {
    const signed = await signMessage(mail(3, rsa.privateKeyPem), {
      domainName: 'shop.example.jp',
      selector: 'kizuna-ed25519',
      privateKey: ed.privateKey,
      headerFieldNames: DKIM_SIGNED_HEADERS,
    });
    const latin1 = signed.raw.toString('latin1');
    const split = latin1.indexOf('\r\n\r\n');
    // A relay that pads line ends and adds empty lines at the end of the body: still valid.
    const relayed = `${latin1.slice(0, split + 4)}${latin1.slice(split + 4).replace(/\r\n/g, ' \t\r\n')}\r\n\r\n`;
    expect(await verify(Buffer.from(relayed, 'latin1'))).toEqual(['ed25519-sha256 pass', 'rsa-sha256 pass']);
  });
});
