// The DNS records the sender's domain needs (DKIM, SPF, DMARC), from `dnsRecords` of
// GET /v1/email/sender, each with a copy button for its host name and value: what a shop owner
// types into a registrar's DNS screen. The zone-file form is the one `kizuna email dkim` prints.
import { Card, Collapse, Descriptions, Input, Space, Typography } from 'antd';
import { useT } from '../i18n/locale.tsx';
import { CardTitle } from '../team/card-title.tsx';
import { CopyField } from '../team/copy-field.tsx';
import { emailMessages } from './messages.ts';
import type { DnsRecord } from './queries.ts';

type Kind = 'dkim' | 'dkimEd25519' | 'spf' | 'dmarc';

/** Which record it is, from what it holds (the API's `purpose` is one bilingual sentence). */
export function recordKind(record: DnsRecord): Kind {
  if (record.name.startsWith('_dmarc.')) return 'dmarc';
  if (record.value.startsWith('v=spf1')) return 'spf';
  return /\bk=ed25519\b/.test(record.value) ? 'dkimEd25519' : 'dkim';
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

function RecordRow({ record }: { record: DnsRecord }) {
  const t = useT(emailMessages);
  const kind = recordKind(record);
  const help = kind === 'dkimEd25519' ? 'record.dkimHelp' : (`record.${kind}Help` as const);
  const title = t(`record.${kind}`);
  const copy = { copyLabel: t('copy'), copiedLabel: t('copied') };
  return (
    <section aria-label={title} className="kz-dns-record">
      <h3 style={{ fontSize: 15, fontWeight: 600, margin: '0 0 4px' }}>{title}</h3>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t(help)}
      </Typography.Paragraph>
      <Descriptions
        column={1}
        size="small"
        bordered
        styles={{ label: { width: 120 } }}
        items={[
          {
            key: 'host',
            label: t('host'),
            children: <CopyField value={record.name} label={`${title} ${t('host')}`} {...copy} />,
          },
          { key: 'type', label: t('type'), children: record.type },
          {
            key: 'value',
            label: t('value'),
            children: <CopyField value={record.value} label={`${title} ${t('value')}`} {...copy} />,
          },
        ]}
      />
    </section>
  );
}

export function DnsRecordsCard({
  records,
  domain,
}: {
  records: readonly DnsRecord[] | undefined;
  domain: string;
}) {
  const t = useT(emailMessages);
  return (
    <Card title={<CardTitle>{t('dns')}</CardTitle>}>
      {!records ? (
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('dnsEmpty')}
        </Typography.Paragraph>
      ) : (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <Typography.Paragraph style={{ margin: 0 }}>{t('dnsIntro', { domain })}</Typography.Paragraph>
          {records.map((record) => (
            <RecordRow key={`${record.name} ${record.value.slice(0, 20)}`} record={record} />
          ))}
          <Collapse
            ghost
            items={[
              {
                key: 'zone',
                label: t('zoneFile'),
                children: (
                  <Input.TextArea
                    readOnly
                    aria-label={t('zoneFileLabel')}
                    value={zoneFile(records)}
                    autoSize={{ minRows: 6, maxRows: 16 }}
                    style={{ fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 12 }}
                  />
                ),
              },
            ]}
          />
        </Space>
      )}
    </Card>
  );
}
