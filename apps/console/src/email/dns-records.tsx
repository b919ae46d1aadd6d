// The DNS records the sender's domain needs (DKIM, SPF, DMARC), from `dnsRecords` of
// GET /v1/email/sender, each with a copy button for its host name and value: what a shop owner
// types into a registrar's DNS screen. The zone-file form is the one `kizuna email dkim` prints.
// A rotated DKIM key waiting to be published is shown with 「新しい鍵に切り替える」 (owners and
// admins); the key retired by the last switch is marked as removable after a few days.

import { Card, Collapse, Descriptions, Input, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../i18n/locale.tsx';
import { CardTitle } from '../team/card-title.tsx';
import { CopyField } from '../team/copy-field.tsx';
import { recordKind, zoneFile } from './dns-zone.ts';
import { emailMessages } from './messages.ts';
import type { DnsRecord } from './queries.ts';

function RecordRow({ record, action }: { record: DnsRecord; action?: ReactNode }) {
  const t = useT(emailMessages);
  const kind = recordKind(record);
  const help = kind === 'dkimEd25519' ? 'record.dkimHelp' : (`record.${kind}Help` as const);
  const title = t(`record.${kind}`);
  const copy = { copyLabel: t('copy'), copiedLabel: t('copied') };
  return (
    <section
      aria-label={title}
      className="kz-dns-record"
      style={
        kind === 'dkimPending'
          ? { border: '1px solid #91caff', background: '#f0f7ff', borderRadius: 8, padding: 12 }
          : undefined
      }
    >
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
      {action && kind === 'dkimPending' && <div style={{ marginTop: 12 }}>{action}</div>}
    </section>
  );
}

export function DnsRecordsCard({
  records,
  domain,
  pendingAction,
}: {
  records: readonly DnsRecord[] | undefined;
  domain: string;
  /** Shown under the pending DKIM record: the switch to it, for those who may make it. */
  pendingAction?: ReactNode;
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
            <RecordRow
              key={`${record.name} ${record.value.slice(0, 20)}`}
              record={record}
              action={pendingAction}
            />
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
