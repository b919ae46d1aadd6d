// The sender's DNS records as the console names them and as a zone file holds them. Pure, so
// test/email-dns-zone.test.ts compares it with the server's `formatDnsRecords`.
// Structural, not the contract's type, so a browser-less test can load this file alone.
interface DnsRecord {
  name: string;
  value: string;
  purpose: string;
  /** active, pending (a rotated key not signing yet) or retired (to remove after a few days). */
  state?: string;
}

export type Kind = 'dkim' | 'dkimPending' | 'dkimRetired' | 'dkimEd25519' | 'spf' | 'dmarc';

/** Which record it is, from what it holds (the API's `purpose` is one bilingual sentence). */
export function recordKind(record: DnsRecord): Kind {
  if (record.name.startsWith('_dmarc.')) return 'dmarc';
  if (record.value.startsWith('v=spf1')) return 'spf';
  if (/\bk=ed25519\b/.test(record.value)) return 'dkimEd25519';
  if (record.state === 'pending') return 'dkimPending';
  return record.state === 'retired' ? 'dkimRetired' : 'dkim';
}

/** A TXT string is at most 255 bytes; longer values are split (as the server's `splitTxt`). */
function splitTxt(value: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(value.slice(i, i + 255));
  return parts;
}

/**
 * The records as a zone file holds them, as the server's `formatDnsRecords` prints them.
 * @example
 * zoneFile([{ name: '_dmarc.shop.jp', type: 'TXT', value: 'v=DMARC1; p=none', purpose: 'DMARC' }])
 * // '; DMARC\n_dmarc.shop.jp. IN TXT "v=DMARC1; p=none"'
 */
export function zoneFile(records: readonly DnsRecord[]): string {
  return records
    .map(
      (r) =>
        `; ${r.purpose}\n${r.name}. IN TXT ${splitTxt(r.value)
          .map((p) => `"${p}"`)
          .join(' ')}`,
    )
    .join('\n\n');
}
