// DKIM keys and the DNS records a sender publishes (DKIM, SPF, DMARC).
import { generateKeyPairSync } from 'node:crypto';

export interface DkimKeyPair {
  /** PKCS#8 PEM, sealed before it is stored. */
  privateKeyPem: string;
  /** Base64 DER (SPKI): the p= of the TXT record. */
  publicKey: string;
}

/** A sender's DKIM key types: RSA (always) and Ed25519 (RFC 8463, optional, beside RSA). */
export type DkimAlgorithm = 'rsa' | 'ed25519';

/** The selector of a sender's Ed25519 key (its RSA key's is `dkim_selector`, default `kizuna1`). */
export const ED25519_SELECTOR = 'kizuna-ed25519';

/**
 * A new DKIM key: RSA-2048 (what Gmail and Yahoo recommend; 1024 is the floor), or Ed25519,
 * whose record carries the raw 32-byte public key (RFC 8463 section 4), not the SPKI DER.
 */
export function generateDkimKey(algorithm: DkimAlgorithm = 'rsa'): DkimKeyPair {
  if (algorithm === 'ed25519') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = publicKey.export({ format: 'jwk' });
    return {
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey: Buffer.from(jwk.x!, 'base64url').toString('base64'),
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

export interface DnsRecord {
  name: string;
  type: 'TXT';
  value: string;
  /** What the record does, in Japanese then English. */
  purpose: string;
  /**
   * `active`: in use, keep it; `pending`: a rotated DKIM key to publish before activating it;
   * `retired`: the DKIM key that signed before the last activation, to remove after a few days.
   */
  state: 'active' | 'pending' | 'retired';
}

/**
 * The selector for a rotated RSA key: the current one's trailing number plus one (`kizuna1` →
 * `kizuna2`), or `-2` added when it has none (`mail` → `mail-2`), skipping any selector in `taken`.
 *
 * @example
 * nextSelector('kizuna9', ['kizuna9']) // 'kizuna10'
 */
export function nextSelector(current: string, taken: (string | null)[]): string {
  const match = /^(.*?)(\d+)$/.exec(current);
  const stem = match ? match[1]! : `${current}-`;
  let n = match ? Number(match[2]) + 1 : 2;
  const name = () => `${stem}${n}`.slice(-63).replace(/^-+/, '');
  while (name() === current || taken.includes(name())) n++;
  return name();
}

/**
 * The records a sender's domain publishes so that Gmail and Yahoo accept its mail: the DKIM key,
 * an SPF policy (the relay's own include is the operator's to add) and a DMARC policy (p=none to
 * start, as the 2024 bulk-sender rules allow; tighten once reports are clean).
 *
 * @example
 * dnsRecords({ domain: 'shop.example.jp', selector: 'kizuna1', publicKey })[0].name
 * // 'kizuna1._domainkey.shop.example.jp'
 */
export function dnsRecords(input: {
  domain: string;
  returnDomain: string;
  selector: string;
  publicKey: string;
  /** The sender's Ed25519 key, if it has one: a second DKIM record, k=ed25519. */
  ed25519?: { selector: string; publicKey: string } | undefined;
  /** The rotated RSA key waiting to be published and activated. */
  pending?: { selector: string; publicKey: string } | undefined;
  /** The RSA key that signed before the last activation. */
  retired?: { selector: string; publicKey: string } | undefined;
}): DnsRecord[] {
  const rsa = (key: { selector: string; publicKey: string }, state: DnsRecord['state'], purpose: string) => ({
    name: `${key.selector}._domainkey.${input.domain}`,
    type: 'TXT' as const,
    value: `v=DKIM1; k=rsa; p=${key.publicKey}`,
    purpose,
    state,
  });
  const rotation: DnsRecord[] = [
    ...(input.pending
      ? [
          rsa(
            input.pending,
            'pending',
            'DKIM 新しい鍵（登録してから「新しい鍵に切り替える」。それまでは今の鍵で署名） / New DKIM key (publish it, then activate it; mail is signed with the current key until then)',
          ),
        ]
      : []),
    ...(input.retired
      ? [
          rsa(
            input.retired,
            'retired',
            'DKIM 以前の鍵（数日後に削除できます。配送中のメールの確認に使われます） / Previous DKIM key (can be removed after a few days; mail in transit is verified with it)',
          ),
        ]
      : []),
  ];
  const ed25519: DnsRecord[] = input.ed25519
    ? [
        {
          name: `${input.ed25519.selector}._domainkey.${input.domain}`,
          type: 'TXT',
          value: `v=DKIM1; k=ed25519; p=${input.ed25519.publicKey}`,
          purpose: 'DKIM 署名の公開鍵（Ed25519、RSA と併用） / DKIM public key (Ed25519, beside RSA)',
          state: 'active',
        },
      ]
    : [];
  return [
    rsa(input, 'active', 'DKIM 署名の公開鍵 / DKIM public key'),
    ...rotation,
    ...ed25519,
    {
      name: input.returnDomain,
      type: 'TXT',
      value: 'v=spf1 a mx ~all',
      purpose:
        'SPF: 送信元サーバを許可（中継サービスの include: を追加） / SPF: allow your sending servers (add your relay’s include:)',
      state: 'active',
    },
    {
      name: `_dmarc.${input.domain}`,
      type: 'TXT',
      value: `v=DMARC1; p=none; rua=mailto:dmarc@${input.domain}; adkim=r; aspf=r`,
      purpose: 'DMARC（まず p=none で監視） / DMARC (start with p=none and monitor)',
      state: 'active',
    },
  ];
}

/** The TXT value split into DNS strings of at most 255 characters (a 2048-bit key needs two). */
export function splitTxt(value: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(value.slice(i, i + 255));
  return parts;
}
